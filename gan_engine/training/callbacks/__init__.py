"""Callbacks of the training engine (image grids, extra validation hooks)."""
