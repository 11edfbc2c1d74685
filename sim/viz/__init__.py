"""Figures (matplotlib, Agg backend) for runs and comparisons."""

import matplotlib

matplotlib.use("Agg")
