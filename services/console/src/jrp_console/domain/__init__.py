"""The console's own rules: plain Python, no web framework."""
