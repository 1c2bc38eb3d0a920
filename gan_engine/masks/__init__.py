"""Hole masks for inpainting and gap-filling, 2D and 3D: drawn shapes, strokes, and masks from the data.

Every generator here is registered with :func:`gan_engine.registry.register_mask_generator` and follows
:class:`gan_engine.protocols.MaskGenerator`: ``generator(shape, rng, sample=None) -> holes[1, *shape]``
with 1 where pixels are missing. Import from the submodules; this package imports nothing.
"""
