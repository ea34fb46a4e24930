"""SHACL validation (stub: being written, see issue 2/7). Interface in the helper brief."""
