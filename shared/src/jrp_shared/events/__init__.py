"""Event contracts: the CloudEvents envelope, topic names and typed, versioned payloads."""
