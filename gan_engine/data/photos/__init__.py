"""Photo datasets (2D): image folders and the built-in sample photos, LR made on the fly."""
