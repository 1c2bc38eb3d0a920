"""Tasks: what a batch means, how the networks are called and what validation reports.

Each task registers with :func:`gan_engine.registry.register_task` and implements
:class:`gan_engine.protocols.Task`; the training engine is shared by all of them. Tasks depend on
protocols, types, ``nn`` and metrics only, never on a concrete generator, discriminator or loss.
"""
