"""Published endpoints: /execute, the WorkerManager, API keys, rate limits."""
