"""Datasets, grouped by family, and the DataModule that loads them.

- :mod:`~gan_engine.data.photos`, :mod:`~gan_engine.data.rasters`, :mod:`~gan_engine.data.volumes`
  (NIfTI, microscopy and video sources), :mod:`~gan_engine.data.prompts` and
  :mod:`~gan_engine.data.holes`: each family's datasets, registered selectors and params.
- :mod:`~gan_engine.data.transforms`: LR degradation, aligned augmentation, intensity mapping and
  nodata masks, shared by the families.
- Beside them: the DataModule, collation, resumable loaders, epochs and :mod:`~gan_engine.data.seeding`, file
  finding, array sources and the :mod:`~gan_engine.data.unreadable` file policy.

Registered selectors are loaded by the registry on first lookup. Nothing is imported here, so
importing the package stays cheap.
"""
