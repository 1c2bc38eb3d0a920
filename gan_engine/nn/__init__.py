"""Dims-agnostic building blocks: layer lookups, N-D pixel shuffle, resampling, norms, blocks.

Everything here is written once for 2D (``[B, C, H, W]``) and 3D (``[B, C, D, H, W]``): blocks ask
:mod:`gan_engine.nn.layers` for the layer class of their ``spatial_dims`` instead of naming
``Conv2d`` or ``Conv3d``. Import from the submodules (``from gan_engine.nn.layers import conv``);
this package imports nothing, so loading one block never loads the others.
"""
