"""A device simulator for the local platform's demo equipment (`make simulate`)."""
