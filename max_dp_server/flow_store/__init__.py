"""Stored flows: CRUD, search, import/export, validation and immutable versions.

Named ``flow_store`` so it never reads as the engine package ``flows``.
"""
