"""The file-format layer: windowed sources and atomic sinks, one small module per format.

Prediction (:mod:`gan_engine.inference`) reads inputs and writes outputs through this package; it imports
no other part of GAN-Engine than :mod:`gan_engine.types` and :mod:`gan_engine.errors`, so training data
(:mod:`gan_engine.data`) and inference may both depend on it.
"""
