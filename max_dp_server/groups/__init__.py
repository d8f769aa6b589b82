"""Groups of users, which can be made members of workspaces as a whole."""
