"""The permission policy: its model, its pure rules, and the reader of the policy file."""
