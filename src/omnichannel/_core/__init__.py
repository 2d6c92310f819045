"""Array kernels: pure functions over ndarrays and plain numbers, no domain objects."""
