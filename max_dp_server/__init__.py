"""The MAX DP management server: a FastAPI application split by feature.

Build it with ``max_dp_server.app.create_app(settings)``; importing this package starts nothing.
"""
