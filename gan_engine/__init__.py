"""GAN-Engine: GAN super-resolution for any imaging domain, in 2D and 3D, for any number of bands.

The library is plain Python: build components directly (``SRResNet(2, 4, 4, 4)``) or look them up in the
registries of :mod:`gan_engine.registry`. YAML specs and dependency injection live in the separate
``containers`` package.
"""

__version__ = "0.1.0"
