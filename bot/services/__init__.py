"""Use cases the handlers call: each opens its own unit of work."""
