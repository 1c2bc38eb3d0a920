"""Text conditioning: prompt encoders (precomputed, local checkpoints, trainable) and text losses.

Encoders register with :func:`gan_engine.registry.register_text_encoder` and honour
:class:`gan_engine.protocols.TextEncoder`. Nothing here downloads: checkpoints and embeddings come
from local files named in the spec.
"""
