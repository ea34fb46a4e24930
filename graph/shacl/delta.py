"""The effect of a SPARQL update, computed by Oxigraph itself, without changing the store.

The write gate checks a change before it is stored, so it must know exactly what an update
will add and remove. That effect is computed here by the engine that would run the update,
never by another parser's reading of it (rdflib's algebra round trip loses parentheses and
regex flags, so ``FILTER(2 * (3 - 2) = 2)`` meant something else to it than to Oxigraph):

1. Oxigraph parses the whole update (it runs on an empty in-memory store): a syntax error is
   Oxigraph's own.
2. The text is split at the top level, which needs only a lexer for strings, comments, IRIs and
   braces: the prologue, then each operation's keywords and its ``{ … }`` groups, kept as the
   client wrote them.
3. ``INSERT DATA`` / ``DELETE DATA``: the quads are what Oxigraph makes of the data block when it
   inserts it into an empty store.
   ``DELETE/INSERT … WHERE`` and ``DELETE WHERE``: Oxigraph runs the update's own WHERE text as
   ``SELECT *`` on the store, and fills in each template by inserting it into an empty store
   with the solutions as ``VALUES`` (blank nodes of the store travel as unique IRIs and come
   back as themselves).
4. Anything else (several operations of which one has a WHERE, ``USING``, ``CLEAR``, ``DROP``,
   ``ADD``/``MOVE``/``COPY``, ``\\u`` escapes, a piece Oxigraph will not take on its own) runs
   on an in-memory copy of the store that is then compared with it: exact, and slower.

Whatever this module computes is what the caller checks and then stores (see
:func:`graph.shacl.validation.update_checked`, which applies this effect, not the update text), so a
mistake here can make a change differ from the client's intent but can never store a change
that was not checked.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

__all__ = ["Effect", "Source", "UpdateSyntaxError", "oxigraph_source", "update_effect"]


class UpdateSyntaxError(ValueError):
    """Oxigraph does not take the update (its own message)."""


@dataclass(frozen=True)
class Source:
    """What the effect is computed against: the data as the update would see it.

    ``select(text, default_graph)`` runs a SELECT (``default_graph`` is the WITH graph, or None
    for the update's own default graph); ``quads()`` gives every quad (for the copy).
    """

    select: Callable[[str, ox.NamedNode | None], ox.QuerySolutions]
    quads: Callable[[], Iterable[ox.Quad]]


def oxigraph_source(store: ox.Store) -> Source:
    """An Oxigraph store as an update sees it: its real default graph, not the union."""

    def select(text: str, default_graph: ox.NamedNode | None) -> ox.QuerySolutions:
        return store.query(text, default_graph=default_graph) if default_graph else store.query(text)

    return Source(select, lambda: store.quads_for_pattern(None, None, None, None))


def remote_source(store) -> Source:
    """A :class:`graph.store.Store` (a SPARQL server) as the source: its own default graph."""

    def select(text: str, default_graph: ox.NamedNode | None) -> ox.QuerySolutions:
        return store.query(text, default_graphs=[default_graph.value] if default_graph else None)

    return Source(select, store.quads)


@dataclass(frozen=True)
class Effect:
    """Quads an update adds and removes (net of each other: a quad is in at most one list)."""

    added: list[ox.Quad]
    removed: list[ox.Quad]


# --- Lexing the top level ---------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")
    |(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)
    |(?P<open>\{)
    |(?P<close>\})
    |(?P<semi>;)
    |(?P<word>(?:[^\s{};\#'\"<\\]|\\.)+)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Item:
    """A top-level piece of an update: a word, an IRI, ``;`` or a whole ``{ … }`` group."""

    kind: str  # "word" | "iri" | "semi" | "group" | "other"
    text: str

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _items(text: str) -> Iterator[_Item]:
    """The top-level items of ``text``; raises ValueError where braces do not balance."""
    depth, group_start = 0, 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "open":
            if depth == 0:
                group_start = m.start()
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced braces")
            if depth == 0:
                yield _Item("group", text[group_start : m.end()])
        elif depth == 0:
            yield _Item(kind or "other", m.group(0))
    if depth:
        raise ValueError("unbalanced braces")


@dataclass(frozen=True)
class _Operation:
    prologue: str  # every BASE/PREFIX declared before the operation
    kind: str  # "InsertData" | "DeleteData" | "DeleteWhere" | "Modify" | "Other"
    delete: str | None = None  # the template group, braces included
    insert: str | None = None
    where: str | None = None
    with_graph: str | None = None  # the WITH IRI as written (an <iri> or a prefixed name)


def _operations(text: str) -> list[_Operation]:
    """The update's operations with the prologue each one sees."""
    items = list(_items(text))
    prologue: list[str] = []
    ops: list[_Operation] = []
    i = 0
    while i < len(items):
        item = items[i]
        if item.keyword == "BASE" and i + 1 < len(items):
            prologue.append(f"BASE {items[i + 1].text}")
            i += 2
            continue
        if item.keyword == "PREFIX" and i + 2 < len(items):
            prologue.append(f"PREFIX {items[i + 1].text} {items[i + 2].text}")
            i += 3
            continue
        end = i
        while end < len(items) and items[end].kind != "semi":
            end += 1
        ops.append(_classify("\n".join(prologue), items[i:end]))
        i = end + 1
    return ops


def _classify(prologue: str, items: list[_Item]) -> _Operation:
    words = [it.keyword for it in items]
    groups = [it.text for it in items if it.kind == "group"]
    if words[:2] == ["INSERT", "DATA"] and len(items) == 3 and items[2].kind == "group":
        return _Operation(prologue, "InsertData", insert=groups[0])
    if words[:2] == ["DELETE", "DATA"] and len(items) == 3 and items[2].kind == "group":
        return _Operation(prologue, "DeleteData", delete=groups[0])
    if words[:2] == ["DELETE", "WHERE"] and len(items) == 3 and items[2].kind == "group":
        return _Operation(prologue, "DeleteWhere", delete=groups[0], where=groups[0])
    rest, with_graph = list(items), None
    if rest and rest[0].keyword == "WITH" and len(rest) > 1 and rest[1].kind in ("iri", "word"):
        with_graph, rest = rest[1].text, rest[2:]
    delete = insert = None
    if len(rest) >= 2 and rest[0].keyword == "DELETE" and rest[1].kind == "group":
        delete, rest = rest[1].text, rest[2:]
    if len(rest) >= 2 and rest[0].keyword == "INSERT" and rest[1].kind == "group":
        insert, rest = rest[1].text, rest[2:]
    if (delete or insert) and len(rest) == 2 and rest[0].keyword == "WHERE" and rest[1].kind == "group":
        return _Operation(prologue, "Modify", delete, insert, rest[1].text, with_graph)
    return _Operation(prologue, "Other")  # USING, CLEAR, DROP, ADD, … or something unforeseen


# --- Evaluating with Oxigraph -----------------------------------------------------------------

class _Unsupported(Exception):
    """This shortcut cannot compute the effect exactly: take the copy."""


def _run_on_empty(update: str) -> list[ox.Quad]:
    scratch = ox.Store()
    try:
        scratch.update(update)
    except (SyntaxError, ValueError, RuntimeError) as exc:
        raise _Unsupported(str(exc)) from exc
    return list(scratch)


def _term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, skolem: str) -> str:
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.BlankNode):
        return f"<{skolem}{term.value}>"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise _Unsupported("a triple term in a solution")


def _unskolem(term, skolem: str):
    if isinstance(term, ox.NamedNode) and term.value.startswith(skolem):
        return ox.BlankNode(term.value[len(skolem):])
    return term


def _fill(op: _Operation, template: str, names: list[str], rows: list[tuple]) -> list[ox.Quad]:
    """The template's quads for the solutions, as Oxigraph instantiates them."""
    if not rows:
        return []
    skolem = f"urn:uuid:{uuid.uuid4()}:"
    variables = " ".join(f"?{n}" for n in names)
    values = " ".join("(" + " ".join(_term_text(t, skolem) for t in row) + ")" for row in rows)
    with_clause = f"WITH {op.with_graph}\n" if op.with_graph else ""
    quads = _run_on_empty(
        f"{op.prologue}\n{with_clause}INSERT {template} WHERE {{ VALUES ({variables}) {{ {values} }} }}")
    return [ox.Quad(_unskolem(q.subject, skolem), q.predicate, _unskolem(q.object, skolem), _unskolem(q.graph_name, skolem))
            for q in quads]


def _solutions(source: Source, op: _Operation) -> tuple[list[str], list[tuple]]:
    """The solutions of the operation's WHERE text, evaluated by the source's engine."""
    select = f"{op.prologue}\nSELECT * WHERE {op.where}"
    graph = None
    if op.with_graph:  # the WITH IRI, resolved as Oxigraph reads it (prefixes, BASE)
        graph = _run_on_empty(f"{op.prologue}\nINSERT DATA {{ GRAPH {op.with_graph} {{ <urn:x> <urn:x> <urn:x> }} }}")[0].graph_name
    try:
        solutions = source.select(select, graph)
    except (SyntaxError, ValueError) as exc:
        raise _Unsupported(str(exc)) from exc
    names = [v.value for v in solutions.variables]
    return names, [tuple(s[n] for n in names) for s in solutions]


def _pattern_effect(source: Source, op: _Operation) -> Effect:
    names, rows = _solutions(source, op)
    removed = _fill(op, op.delete, names, rows) if op.delete else []
    added = _fill(op, op.insert, names, rows) if op.insert else []
    # Deletions happen before insertions: a quad both deleted and inserted is there afterwards.
    inserted = set(added)
    return Effect(list(dict.fromkeys(added)), [q for q in dict.fromkeys(removed) if q not in inserted])


def _data_effect(ops: list[_Operation]) -> Effect:
    effect: dict[ox.Quad, bool] = {}  # later operations win, as they run in order
    for op in ops:
        block = op.insert if op.kind == "InsertData" else op.delete
        for q in _run_on_empty(f"{op.prologue}\nINSERT DATA {block}"):
            effect[q] = op.kind == "InsertData"
    return Effect([q for q, add in effect.items() if add], [q for q, add in effect.items() if not add])


def _shortcut(source: Source, text: str) -> Effect:
    if "\\u" in text or "\\U" in text:
        raise _Unsupported("\\u escapes are decoded before parsing")
    try:
        ops = _operations(text)
    except ValueError as exc:
        raise _Unsupported(str(exc)) from exc
    if not ops:
        return Effect([], [])
    if all(op.kind in ("InsertData", "DeleteData") for op in ops):
        return _data_effect(ops)
    if len(ops) == 1 and ops[0].kind in ("Modify", "DeleteWhere"):
        return _pattern_effect(source, ops[0])
    raise _Unsupported("several operations, or one without a shortcut")


def _effect_on_copy(source: Source, text: str) -> Effect:
    copy = ox.Store()
    copy.bulk_extend(source.quads())
    try:
        copy.update(text)
    except (SyntaxError, ValueError, RuntimeError) as exc:  # e.g. CREATE GRAPH of one that exists
        raise UpdateSyntaxError(str(exc)) from exc
    before, after = set(source.quads()), set(copy)
    return Effect(list(after - before), list(before - after))


def update_effect(source: Source, text: str) -> Effect:
    """What ``text`` would add to and remove from the source's data, as Oxigraph runs it.

    Raises :class:`UpdateSyntaxError` if Oxigraph does not take the update.

    >>> s = ox.Store()
    >>> s.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 1, 2 } }')
    >>> e = update_effect(oxigraph_source(s), 'DELETE { GRAPH ?g { ?a <urn:p> ?n } } '
    ...                   'WHERE { GRAPH ?g { ?a <urn:p> ?n } FILTER(?n = 2 * (3 - 2)) }')
    >>> [str(q.object) for q in e.removed], e.added
    (['"2"^^<http://www.w3.org/2001/XMLSchema#integer>'], [])
    """
    try:
        ox.Store().update(text)  # Oxigraph's own parse; on an empty store it changes nothing here
    except (SyntaxError, ValueError) as exc:
        raise UpdateSyntaxError(str(exc)) from exc
    except RuntimeError:
        pass  # it parsed; on the empty store e.g. CLEAR GRAPH found no such graph
    try:
        return _shortcut(source, text)
    except _Unsupported:
        return _effect_on_copy(source, text)


# --- In a child process -----------------------------------------------------------------------
# Parsing an update can overflow Oxigraph's stack (a crash, not an error), and evaluating one can
# run for hours even on an empty store: the server computes the effect in a child it can kill
# (graph.query.service.QueryService.update_effect, which reads the reply below).

def _limit_memory() -> None:
    megabytes = int(os.environ.get("ZDG_QUERY_MEMORY_MB", "0") or 0)
    if megabytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))


def main() -> None:
    """Read ``{"snapshot": [kind, path] | "remote": [url, update_url], "update": text}`` as JSON
    on stdin; write ``{"added": n-quads, "removed": n-quads}`` or ``{"error": message}``."""
    _limit_memory()
    message = json.load(sys.stdin)
    from graph.store import RemoteStore, open_snapshot

    if "remote" in message:
        source = remote_source(RemoteStore(*message["remote"]))
    else:
        source = oxigraph_source(open_snapshot(*message["snapshot"]))
    try:
        effect = update_effect(source, message["update"])
        reply = {"added": _serialise(effect.added), "removed": _serialise(effect.removed)}
    except UpdateSyntaxError as exc:
        reply = {"error": str(exc)}
    json.dump(reply, sys.stdout)


def _serialise(quads: list[ox.Quad]) -> str:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


if __name__ == "__main__":
    main()
