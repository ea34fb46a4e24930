"""The HTTP service: a thin FastAPI layer over :mod:`graph` (no SPARQL or rules of its own)."""
