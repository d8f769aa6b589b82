"""Workspaces, their members and the object-level access checks every feature uses."""
