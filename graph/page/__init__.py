"""The staff page: the network of :mod:`graph.network` drawn with vis-network (render, templates)."""
