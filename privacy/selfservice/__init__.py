"""Self-service: the links issued to a person and the public /c/<token>/ pages they open."""
