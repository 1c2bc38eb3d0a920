"""Prompted datasets: images, rasters and volumes paired with the prompt of the file they come from."""
