"""The officers' console (issue 16): server-rendered pages over the four services' APIs."""
