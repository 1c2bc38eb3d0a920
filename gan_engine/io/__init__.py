"""The file-format layer: one module per format, holding the reader training and prediction both use.

Each format module documents its one axis convention; :data:`gan_engine.io.formats.FORMATS` lists the
formats, their suffixes, axes and readers. Training datasets (:mod:`gan_engine.data`) read files
through the training readers (boxes of ``(start, stop)``, :mod:`gan_engine.io.boxes`); prediction
(:mod:`gan_engine.inference`) opens a file with :func:`gan_engine.io.formats.open_input`, whose
windowed sources read through those same readers, and writes outputs through atomic sinks
(:mod:`gan_engine.io.atomic`). This package imports no other part of GAN-Engine than
:mod:`gan_engine.types` and :mod:`gan_engine.errors`, so both may depend on it.
"""
