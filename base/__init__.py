"""The bottom layer: settings and HTTP helpers that import nothing else of the project."""
