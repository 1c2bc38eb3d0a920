"""Precision and memory layout chosen from the hardware a run uses.

:mod:`.facts` reads what the device offers into a small record, :mod:`.choice` turns it into a
precision and a memory layout with the reason for them (pure functions, so any machine can be faked in
tests), and :mod:`.probe` times the two layouts on the run's own network where the instruction set
alone does not decide.
"""
