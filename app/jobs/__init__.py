"""Background jobs: the delivery loop and, later, the scheduler and the daily summary."""
