"""User accounts: the caller's own profile and the administrators' user management."""
