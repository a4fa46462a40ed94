"""Benchmarks of the mesh (`make bench`); each module runs as `python -m bench.<name>`."""
