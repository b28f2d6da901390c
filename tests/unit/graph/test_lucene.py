"""The Lucene query built for the full-text index (both engines) from a researcher's free text.

No engine runs here, so the query is checked against the grammar we allow ourselves: terms joined
by AND, each term lower-case word characters (Lucene specials escaped), optionally a prefix `*`.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.dialect import Dialect, Engine, lucene_query
from graph.engine_schema import FULL_TEXT_DDL
from graph.model import FULL_TEXT_INDEX
from graph.queries import search as search_q

# A term: word characters, with `.`, `'`, `’`, `,` and an escaped `:` inside (the tokeniser keeps
# `u.k`, `don't`, `1,000` and `10:30` whole, as Lucene's standard tokenizer does); a trailing `*`
# for a prefix.
_TERM = r"\w(?:[\w.'’,]|\\:)*\*?"
_GRAMMAR = re.compile(rf"{_TERM}(?: AND {_TERM})*")


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Fish OR chips", "fish* AND chips*"),
        ("fish AND chips", "fish* AND chips*"),
        ("NOT cyber", "cyber*"),
        ("place-based", "place* AND based*"),
        ("Covid-19", "covid* AND 19"),
        ('"school meals"', "school* AND meals*"),
        ("'digital'", "digital*"),
        ("cyber AND (x:y) q:", "cyber* AND x\\:y* AND q"),
        ("Cyber  Security", "cyber* AND security*"),
        ("U.K. councils", "u.k* AND councils*"),
        ("don't", "don't*"),
        ("a+b c~2 d^3 e? f* [g TO h] {i} /re/ \\j &&k ||l !m", None),
        ("Zürich café", "zürich* AND café*"),
        ("x", "x"),
        ("1,000 homes", "1,000* AND homes*"),
        ("BY AND TO", "by AND to"),
    ],
)
def test_free_text_becomes_lower_case_prefix_terms(text: str, query: str | None) -> None:
    built = lucene_query(text)
    if query is not None:
        assert built == query
    assert _GRAMMAR.fullmatch(built), built
    assert all(term == term.lower() for term in built.split(" AND "))


@pytest.mark.parametrize("text", ["OR", "AND NOT", "!!!", "-- ||", '""', "   ", "*"])
def test_text_with_no_words_builds_no_query(text: str) -> None:
    assert lucene_query(text) == ""


@pytest.mark.parametrize("engine", list(Engine))
def test_both_engines_search_one_full_text_index(engine: Engine) -> None:
    """The embedded engine no longer scans: it has the same index, made by its own DDL."""
    call = f"CALL db.index.fulltext.queryNodes('{FULL_TEXT_INDEX}', $lucene"
    for statement in (search_q.SEARCH, search_q.SEARCH_KINDS):
        assert statement.startswith(call)
        assert "CONTAINS" not in statement
        assert "ORDER BY score DESC, node.name, node.id" in statement
    ddl = Dialect(engine, 1.0).schema_statements if engine is Engine.NEO4J else FULL_TEXT_DDL
    assert any(f"INDEX {FULL_TEXT_INDEX} IF NOT EXISTS" in s for s in ddl)


@given(st.text(max_size=200))
def test_any_text_gives_a_query_in_the_allowed_grammar(text: str) -> None:
    built = lucene_query(text)
    assert built == "" or _GRAMMAR.fullmatch(built), built
    assert all(term == term.lower() for term in built.split(" AND "))
    assert not re.search(r"(?<!\\)[+\-&|!(){}\[\]^\"~?:/]", built), built
