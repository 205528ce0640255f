"""Pure Block Kit builders: domain objects in, Slack JSON out."""
