"""Discriminators: networks scoring ``x[B, C, *S]`` as real or generated (raw logits).

Each module registers its discriminator with :func:`gan_engine.registry.register_discriminator`;
the registry imports the modules on first lookup, so this package imports none of them.
"""
