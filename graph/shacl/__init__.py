"""SHACL: validating the store and checking a change before it is written.

Entry points: :mod:`graph.shacl.validation` (``validate``, ``check_quads``, ``insert_checked``,
``load_checked``, ``update_checked``) and :mod:`graph.shacl.update` (a SPARQL update through
the gate). The parts: :mod:`graph.shacl.engine` compiles the shapes to SPARQL and runs them,
:mod:`graph.shacl.gate` finds what a change can affect, :mod:`graph.shacl.reference` is pyshacl
(the reference and the fallback for shapes that do not compile).
"""
