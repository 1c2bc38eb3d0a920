"""Transforms applied to samples: LR degradation, aligned augmentation, intensity mapping, nodata masks."""
