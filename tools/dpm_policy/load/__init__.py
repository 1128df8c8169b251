"""Reading policy files: bytes to positioned plain data, and nothing else."""
