"""Hole masks for inpainting: mask files paired with images, and a wrapper adding a mask to samples."""
