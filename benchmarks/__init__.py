"""Reproducible performance runs against peers (see run.py)."""
