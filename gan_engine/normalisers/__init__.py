"""Normalisers: per-channel maps from sensor units to the network's value range and back.

Fixed built-ins (``identity``, ``fixed_scale``, ``minmax``) live in
:mod:`gan_engine.normalisers.scale`; fitted ones (``minmax_fitted``, ``zscore``, ``percentile``) in
:mod:`gan_engine.normalisers.statistics` and ``histogram`` in :mod:`gan_engine.normalisers.histogram`.
Each registers itself when the registry first loads its module. Fitted normalisers compute their
statistics by streaming over a re-iterable collection of samples
(:mod:`gan_engine.normalisers.fitted`, :mod:`gan_engine.normalisers.streaming`);
:mod:`gan_engine.normalisers.branches` combines one normaliser per branch. Nothing is imported here,
so importing the package stays cheap.
"""
