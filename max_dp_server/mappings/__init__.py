"""Table mappings (PRD 3.1.1): saved per workspace, CRUD, auto-map, and the DB-backed store
``mapped_table_search`` reads saved mappings from."""
