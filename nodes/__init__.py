"""The MAX DP node library. See ``nodes.registry`` for the list of node types."""
