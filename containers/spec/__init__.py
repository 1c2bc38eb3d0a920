"""Run specs: the attrs schema, strict YAML loading with positioned errors, and the resolved dump."""
