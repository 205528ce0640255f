"""Use cases: submit, approve, reject, deliver, summarise."""
