"""Registry service: subjects, departments and the versioned measures catalog."""
