"""The Slack side: the Bolt app, listeners, pure Block Kit builders, the outbox sender, Web API adapters."""
