"""Datasets: image reading, LR degradation, aligned augmentation, photo selectors, the DataModule.

Registered selectors live in :mod:`gan_engine.data.photos.selectors` and are loaded by the registry on
first lookup. Nothing is imported here, so importing the package stays cheap.
"""
