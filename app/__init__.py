"""Staffdesk: a Slack app for staffing requests."""

__version__ = "0.1.0"
