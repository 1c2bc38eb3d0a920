"""The model of the code the pages describe; nothing here renders text for a page.

Attrs fields with their constraints and docstrings, the spec's sections and the built-in registry
entries (where a spec names them is :mod:`containers.spec.sites`).
"""
