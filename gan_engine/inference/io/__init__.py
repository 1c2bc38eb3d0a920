"""Format I/O for inference: windowed sources and atomic sinks, one small module per format.

Kept apart from :mod:`gan_engine.data` (which inference must not import): training readers load whole
samples, while inference needs window-by-window reads and writes of scenes larger than memory.
"""
