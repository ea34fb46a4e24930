"""networkx projections of the graph (stub: being written, see issue 5)."""
