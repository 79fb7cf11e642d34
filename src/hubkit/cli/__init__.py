"""The ``hubkit`` command line."""
