"""One adapter per upstream: domain request -> client call -> outcome a user can understand."""
