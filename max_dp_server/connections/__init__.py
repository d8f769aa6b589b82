"""Workspace connections: CRUD, encrypted secrets, the DB-backed ConnectionStore, test and schema
browser endpoints."""
