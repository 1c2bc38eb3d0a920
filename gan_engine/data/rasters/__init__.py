"""Raster datasets (2D, any band count): GeoTIFF and NumPy scenes read one window at a time."""
