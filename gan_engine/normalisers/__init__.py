"""Normalisers: per-channel maps from sensor units to the network's value range and back.

Built-ins (``identity``, ``fixed_scale``, ``minmax``) live in :mod:`gan_engine.normalisers.scale`
and register themselves when the registry first loads that module;
:mod:`gan_engine.normalisers.branches` combines one normaliser per branch. Nothing is imported here,
so importing the package stays cheap.
"""
