"""Code nodes: user Python run in a sandbox (``run_python_script``, ``apply_function``).

``CODE_NODE_TYPES`` lets the server restrict these types to editors and admins and honour the
setting that disables them.
"""

__all__ = ["CODE_NODE_TYPES"]

CODE_NODE_TYPES: frozenset[str] = frozenset({"run_python_script", "apply_function"})
