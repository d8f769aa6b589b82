"""The flow engine: the flow document, its validation and ordering, and the executor.

Import from the submodules (``flows.model``, ``flows.graph``, ``flows.executor``); this package
keeps no import-time work so ``nodes`` can import ``flows.errors`` without a cycle.
"""
