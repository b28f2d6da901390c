"""The allow-list for researchers' Cypher reads statements as Cypher does."""

from __future__ import annotations

import pytest

from graph.cypher_guard import MAX_RANGE, Malformed, NotAllowed, check, tokens


def test_comments_and_strings_are_not_words() -> None:
    words = [t.text for t in tokens("MATCH /* LOAD CSV */ (n) // SET\nRETURN 'CREATE' AS x")]
    assert words == ["MATCH", "(", "N", ")", "RETURN", "CREATE", "AS", "X"]
    assert [t.kind for t in tokens("RETURN 'CREATE'")] == ["word", "string"]


def test_quoted_names_are_unquoted_and_never_keywords() -> None:
    (quoted,) = tokens("`we``ird`")
    assert (quoted.kind, quoted.text) == ("quoted", "we`ird")
    check("MATCH (n:Entity) RETURN n.id AS `DELETE`")


@pytest.mark.parametrize(
    "statement",
    [
        "load/**/csv FROM 'x' AS l RETURN l",
        "LOAD\u2028CSV FROM 'x' AS l RETURN l",
        "\uff4c\uff4f\uff41\uff44 csv FROM 'x' AS l RETURN l",
        "MATCH (n) DeTaCh DELETE n",
        "CALL db.labels()",
        "CALL `db`.labels()",
        "RETURN apoc.text.join(['a'], '') AS x",
        "RETURN `apoc.text.join`(['a'], '') AS x",
        "CALL {MATCH (n:Entity) RETURN n} IN CONCURRENT TRANSACTIONS RETURN n",
        f"RETURN range(0, {MAX_RANGE}) AS r",
        "RETURN range(0, 10, 0) AS r",
        "RETURN range(0, toInteger('9999999999')) AS r",
        "RETURN size(reduce(s='x', i IN range(1,30) | s + s)) AS n",
        "WITH 'x' AS a " + "WITH a + a AS a " * 11 + "RETURN size(a) AS n",
        "RETURN [x IN [1] | [y IN [2] | y]] AS nested",
        "UNWIND range(1, 2000) AS a UNWIND range(1, 2000) AS b RETURN count(*) AS n",
    ],
)
def test_refused(statement: str) -> None:
    with pytest.raises(NotAllowed):
        check(statement)


@pytest.mark.parametrize(
    ("statement", "clause"),
    [
        ("CREATE (n:Outcome {id: 'x'}) RETURN n", "CREATE"),
        ("MERGE (n:Outcome {id: 'x'}) RETURN n", "MERGE"),
        ("FOREACH (i IN [1] | CREATE (:Outcome))", "FOREACH"),
    ],
)
def test_a_clause_before_a_parenthesis_is_named_as_a_clause(statement: str, clause: str) -> None:
    # Not "the function CREATE()": the researcher wrote a clause, and the message says which.
    with pytest.raises(NotAllowed, match=f"^{clause} is not allowed: researchers' Cypher may"):
        check(statement)


@pytest.mark.parametrize("statement", ["RETURN 'open", "RETURN 1 /* open", "RETURN `open"])
def test_unterminated_is_malformed(statement: str) -> None:
    with pytest.raises(Malformed, match="never closed"):
        check(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "MATCH (n:Entity)-[r]->(m) WHERE n.name STARTS WITH 'A' RETURN n, type(r), m LIMIT 5",
        "MATCH (o:Outcome) RETURN o {.id, .name} AS outcome ORDER BY o.name DESC SKIP 1",
        "UNWIND range(10, 1, -1) AS i RETURN i",
        "MATCH (n:Entity) RETURN n.set AS x, $create AS y",
        "MATCH (n:Entity) WHERE exists { (n)--(:Outcome) } RETURN count(n) AS c;",
        "MATCH (a:Entity) OPTIONAL MATCH (a)--(b) RETURN a.id, collect(b.id)[..3] AS near",
    ],
)
def test_allowed(statement: str) -> None:
    check(statement)
