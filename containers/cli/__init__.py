"""The ``gan-engine`` command line."""
