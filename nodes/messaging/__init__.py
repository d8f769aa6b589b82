"""Message automation and HTTP nodes: API calls, notifications, targets and templates."""
