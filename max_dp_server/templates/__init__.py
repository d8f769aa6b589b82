"""Message templates (issue 5, deliverable 6): saved per workspace with their ``{{variables}}``
and usage count; CRUD, a render preview, variable matching against a table mapping."""
