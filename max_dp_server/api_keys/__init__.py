"""API keys for published endpoints: created (shown once), listed, revoked."""
