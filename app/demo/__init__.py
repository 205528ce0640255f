"""`staffdesk demo`: the sandbox upstreams, the bot and a local Slack stand-in in the browser; no account."""
