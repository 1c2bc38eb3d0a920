"""Documentation generated from the code: spec reference, components catalogue, JSON Schema, plots.

``gan-engine docs`` writes these files under ``docs/`` and ``gan-engine docs --check`` fails when a
committed copy differs from what the code generates now, so the reference cannot drift from the spec
classes, the registry, the command line or the training schedules.
"""
