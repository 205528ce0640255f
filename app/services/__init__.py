"""Use cases: submit, decide, expire, deliver, tell Slack, summarise; ports.py is what they need."""
