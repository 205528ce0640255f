"""Slack listeners, one module per kind: each an adapter that acks, calls a service and renders."""
