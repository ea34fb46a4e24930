"""Core of the Zukunftsdialog Industrie knowledge graph.

Store access, building the graph from ``ontology/`` + ``data/``, SHACL validation, domain
queries, network projections and rendering, and the ``zdg`` command line. Knows nothing of HTTP.
"""

__version__ = "0.1.0"
