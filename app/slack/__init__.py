"""The Slack side: the Bolt app, its listeners, pure Block Kit builders, and the Web API adapters."""
