# A first version, unless one is there (`graph`, `property` as in write-version.rq; `version` a fresh UUID).
INSERT { GRAPH $graph { $graph $property "$version" } }
WHERE { FILTER NOT EXISTS { GRAPH $graph { $graph $property ?v } } }
