"""Plain data and rules: staffing requests, their states and their errors."""
