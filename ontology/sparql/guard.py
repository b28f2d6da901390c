"""Refusal of anything in a query that would reach another server (SERVICE).

A query is read twice, and refused if either reading finds SERVICE:

- by a tokenizer that follows SPARQL's terminals (strings, IRIs, comments, variables, prefixed
  and blank node names, language tags, numbers), so the keyword is found however it touches its
  neighbours (``?o .SERVICE``, ``}SERVICE<...>``), in any case, after ``\\u`` escapes are decoded,
  and never inside a name, a string, an IRI or a comment;
- by rdflib's SPARQL parser, whose parse tree names a ``ServiceGraphPattern`` wherever one is.
  A tokenizer cannot know whether ``<`` opens an IRI or is less-than (``FILTER(?a<1)SERVICE?v#>``
  hides the keyword inside what looks like an IRI); a parser can.

pyoxigraph reads a few forms rdflib does not; for those the tokenizer reads every ``<`` as an
operator as well, so nothing the tokenizer cannot place is let through. Nothing else in a query
reaches out: pyoxigraph takes ``FROM`` and ``GRAPH`` as names of graphs in the store (it never
fetches them), ``LOAD`` is an update (refused), and it has no function that dereferences.
The child a query runs in cannot open a socket either (ontology/sparql/child.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from ontology.sparql.errors import ServiceRefused

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NAME_START = r"[^\W\d_]"
_LOCAL_CHAR = r"(?:[\w\-:\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_TERMINALS = [
    ("space", r"\s+"),
    ("comment", r"#[^\r\n]*"),
    (
        "string",
        r'"""[\s\S]*?"""|' r"'''[\s\S]*?'''|" r'"(?:[^"\\\n\r]|\\.)*"|' r"'(?:[^'\\\n\r]|\\.)*'",
    ),
    ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("variable", r"[?$][\w\u00B7]+"),
    # A prefixed name: PN_PREFIX? ':' PN_LOCAL?, where neither part ends with a '.'.
    (
        "name",
        rf"(?:{_NAME_START}(?:[\w.\-\u00B7]*[\w\-\u00B7])?)?:"
        rf"(?:{_LOCAL_CHAR}(?:(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR})?)?",
    ),
    ("blank", r"_:[\w](?:[\w.\-\u00B7]*[\w\-\u00B7])?"),
    ("language", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
    ("number", r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"),
    ("word", r"[A-Za-z_]\w*"),
    ("other", r"[\s\S]"),
]
_WITH_IRIS = re.compile("|".join(f"(?P<{kind}>{rx})" for kind, rx in _TERMINALS))
_WITHOUT_IRIS = re.compile(
    "|".join(f"(?P<{kind}>{rx})" for kind, rx in _TERMINALS if kind != "iri")
)


def decoded(text: str) -> str:
    """The query with its ``\\u`` escapes decoded, as the parser reads it: SPARQL allows them
    anywhere, so ``\\u0053ERVICE`` is SERVICE."""
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def words(text: str, *, iris: bool = True) -> Iterator[str]:
    """The bare words of a decoded query (keywords, ``a``, ``true``), upper-cased.

    With `iris` false, ``<`` is always read as an operator, so an IRI's text is read as words.
    """
    pattern = _WITH_IRIS if iris else _WITHOUT_IRIS
    for match in pattern.finditer(text):
        if match.lastgroup == "word":
            yield match.group().upper()


@functools.cache
def prepare() -> None:
    """Build rdflib's parser once, in the server: its first parse costs several times a later
    one, and each query's child (a copy of the server) would otherwise pay it on its deadline."""
    parseQuery("ASK {}")


def refuse_remote(text: str) -> None:
    """Raise ServiceRefused if `text` (a query) calls another endpoint, however it is written.

    Raises:
        ServiceRefused: the query has a SERVICE pattern.
    """
    visible = decoded(text)
    if "SERVICE" in words(visible):
        raise ServiceRefused()
    try:
        tree = parseQuery(visible)
    except (ParseBaseException, RecursionError, ValueError, TypeError):
        # Not a query rdflib reads: read every '<' both ways.
        if "SERVICE" in words(visible, iris=False):
            raise ServiceRefused() from None
        return
    if _has_service(tree):
        raise ServiceRefused()


def _has_service(tree: object) -> bool:
    # Iterative: a deeply nested query must not exhaust the interpreter's stack.
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return False
