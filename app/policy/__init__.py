"""Pure permission rules: what a request needs, who holds what, who may approve (no I/O)."""
