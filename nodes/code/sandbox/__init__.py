"""Sandboxed execution of user Python for the code nodes.

Two walls: the language (RestrictedPython with an allowlist ``_getattr_``, see ``policy``) and
the process (a pool of separate, limited, unprivileged worker processes, see ``worker`` and
``pool``). ``docs/code-nodes.md`` explains what user code can and cannot do, and why.

Importing this package is cheap: the pool and the policy are imported from their modules.
"""

__all__: list[str] = []
