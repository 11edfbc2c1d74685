"""Engine: the Mesa model that wires the layers, one run's loop, randomness and resources."""
