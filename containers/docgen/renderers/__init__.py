"""Formats the pages are written in; nothing here walks the spec classes or reads a registry.

Markdown text, JSON Schema fragments (of the model's fields), SVG charts, values as YAML and JSON
text, and types as text.
"""
