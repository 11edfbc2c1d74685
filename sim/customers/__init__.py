"""Customers: population traits, word-of-mouth diffusion (views, reshares) and opinion."""
