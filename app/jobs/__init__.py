"""Background jobs: delivery, heartbeat and Slack outbox loops; directory, expiry and summary schedules."""
