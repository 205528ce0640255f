"""Plain data and rules: requests, their states and life cycle, upstreams, notices and errors."""
