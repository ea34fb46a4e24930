"""Running read queries for the public: worker processes with time and memory limits.

:mod:`graph.query.service` (the service, its pool, snapshots and result formats) starts
:mod:`graph.query.worker` processes; a text is checked by :mod:`graph.sparql.guard` first.
"""
