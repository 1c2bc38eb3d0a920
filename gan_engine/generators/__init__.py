"""Generators: networks mapping ``lr[B, C_in, *S]`` to ``sr[B, C_out, *(S * scale)]``.

Each module registers its generator with :func:`gan_engine.registry.register_generator`; the
registry imports the modules on first lookup, so this package imports none of them.
"""
