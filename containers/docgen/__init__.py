"""Documentation generated from the code: spec reference, components catalogue, JSON Schema, plots.

``gan-engine docs`` writes these files under ``docs/`` and ``gan-engine docs --check`` fails when a
committed copy differs from what the code generates now, so the reference cannot drift from the spec
classes, the registry, the command line or the training schedules.

Layout: :mod:`~containers.docgen.model` reads the code (fields, constraints, docstrings, sections,
registry entries), :mod:`~containers.docgen.renderers` writes formats (Markdown, JSON Schema, SVG,
YAML text), :mod:`~containers.docgen.pages` has one module per generated page, and
:mod:`~containers.docgen.outputs` assembles the pages, writes them and checks the committed copies.
"""
