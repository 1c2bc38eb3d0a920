"""Array-source datasets: NIfTI volumes, microscopy TIFF stacks and video clips, patches cut on the fly.

The family's base is :class:`~gan_engine.data.volumes.selector.SourceSelector` (sources in, datasets
out) and :class:`~gan_engine.data.volumes.selector.FolderSourceSelector` for a folder of files.
"""
