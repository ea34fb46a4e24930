"""What a SPARQL request may do here, decided before it reaches any engine.

Oxigraph (embedded or as a server) follows ``SERVICE <iri>`` and ``LOAD <iri>`` onto the
network. This service is offline and must not be turned into a proxy, so both are refused
for every backend. The check is lexical and conservative:

1. ``\\uXXXX`` escapes are decoded first, as the SPARQL grammar does before parsing
   (otherwise ``SERVIC\\u0045`` would slip through).
2. If the word does not occur at all, the text is fine (the common, fast path).
3. Otherwise strings, comments and ``<...>`` IRIs are blanked out; if the keyword then
   stands as a word, the request is refused.
4. If the word only occurs inside what looked like strings, IRIs or comments (``<`` is also
   the less-than operator, so the lexer can be fooled), rdflib's SPARQL *parser* (never its
   evaluator) decides whether there is such an operation; text it cannot parse is refused.

The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) is read the same way, so that results can
be negotiated before the query runs.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["ForbiddenOperation", "check_query", "check_update", "nesting_depth", "query_form", "unescape"]


class ForbiddenOperation(ValueError):
    """The request asks for something this service never does (SERVICE, LOAD, an update)."""


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_STRING = r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\""
_COMMENT = r"#[^\n\r]*"
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_WITH_IRIS = re.compile(f"{_STRING}|{_COMMENT}|{_IRI}", re.DOTALL)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


def unescape(text: str) -> str:
    """Decode ``\\uXXXX``/``\\UXXXXXXXX`` the way SPARQL does before parsing."""

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)

    return _ESCAPE.sub(repl, text)


def _keyword(word: str) -> re.Pattern[str]:
    # A keyword is a whole word: not part of a variable (?x, $x), a prefixed or local name
    # (ex:service, service:x, a-service) or a longer identifier.
    return re.compile(rf"(?<![\w?$:\-]){word}(?![\w:\-])", re.IGNORECASE)


def _shows(text: str, word: str) -> bool:
    """True if ``word`` stands as a keyword once strings, comments and IRIs are blanked out."""
    return bool(_keyword(word).search(_WITH_IRIS.sub(" ", text)))


@lru_cache(maxsize=512)
def _rdflib_mentions(text: str, kind: str, names: tuple[str, ...]) -> bool | None:
    """True/False if rdflib's parser finds/does not find the operations; None if it cannot parse."""
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(text) if kind == "query" else parser.parseUpdate(text)
    except Exception:  # noqa: BLE001 - any parser failure means "cannot confirm"
        return None
    return _tree_has(tree, set(names))


def _tree_has(node: object, names: set[str], depth: int = 0) -> bool:
    if depth > 200:
        return True  # absurdly deep: do not trust it
    name = getattr(node, "name", None)
    if isinstance(name, str) and name in names:
        return True
    if isinstance(node, dict):
        return any(_tree_has(v, names, depth + 1) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_tree_has(v, names, depth + 1) for v in node)
    return False


def _refuse_words(text: str, kind: str, words: dict[str, str]) -> None:
    """Refuse ``text`` if it uses one of ``words`` (keyword -> rdflib algebra name)."""
    plain = unescape(text)
    present = [w for w in words if w.lower() in plain.lower()]
    if not present:
        return
    for word in present:
        if _shows(plain, word):
            raise ForbiddenOperation(_message(word))
    # The word occurs, but only inside what this lexer takes for strings, IRIs or comments;
    # '<' is also the less-than operator, so let a real parser decide.
    verdict = _rdflib_mentions(plain, kind, tuple(words[w] for w in present))
    if verdict is None or verdict:
        raise ForbiddenOperation(
            f"The {kind} mentions {' or '.join(present)} in a way that cannot be verified as harmless; "
            f"{_message(present[0])}"
        )


def _message(word: str) -> str:
    if word == "SERVICE":
        return "federated queries (SERVICE) are not allowed: this endpoint never contacts other servers."
    return "LOAD is not allowed: this service never fetches data from the network."


def check_query(text: str) -> None:
    """Raise :class:`ForbiddenOperation` if the query would contact another server."""
    _refuse_words(text, "query", {"SERVICE": "ServiceGraphPattern"})


def check_update(text: str) -> None:
    """Raise :class:`ForbiddenOperation` if the update would contact another server."""
    _refuse_words(text, "update", {"SERVICE": "ServiceGraphPattern", "LOAD": "Load"})


def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (None if the text shows none).

    >>> query_form("PREFIX ex: <http://ex/select#> # ASK\\nconstruct { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    reading = _WITH_IRIS.sub(" ", unescape(text))
    for token in re.finditer(r"[A-Za-z]+", reading):
        word = token.group(0).upper()
        start, end = token.start(), token.end()
        if (start and reading[start - 1] in ":?$_") or reading[end : end + 1] == ":":
            continue  # a variable or part of a prefixed name, not a keyword
        if word in _FORMS:
            return word
        if word in _UPDATE_WORDS:
            return "UPDATE"
    return None


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` outside strings, comments and IRIs.

    Oxigraph's parser recurses per level and overflows the stack (a crash, not an error)
    somewhere between 2,000 and 3,000 levels, so callers refuse deep text before parsing.

    >>> nesting_depth('SELECT * WHERE { ?s ?p "{{{" FILTER((1)) }')
    3
    """
    reading = _WITH_IRIS.sub(" ", text)
    depth = deepest = 0
    for char in reading:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(depth - 1, 0)
    return deepest
