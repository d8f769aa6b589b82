"""Login, token refresh with rotation, logout; password hashing and JWTs."""
