"""What researchers' own Cypher may say: an allow-list checked on tokens, before the engine.

The statement is tokenised the way Cypher reads it (comments and string literals removed,
backtick-quoted names unquoted, letters folded to their plain upper-case form), so
``LOAD/**/CSV``, ``LOAD//x\\nCSV``, ``lOaD csv`` and full-width letters all read as the words
they are. Then:

- every function called must be one of `FUNCTIONS`, and every procedure one of `PROCEDURES`
  (none today: ``db.labels()`` and friends would name the bookkeeping labels, and researchers
  can ask ``MATCH (n:Entity) RETURN DISTINCT labels(n)`` instead);
- no word of `REFUSED_WORDS` may appear as a keyword (writes, LOAD CSV, USE, SHOW, admin
  commands, ``CALL {} IN TRANSACTIONS``, query options): only reading clauses remain;
- what can build values of any size before any row comes back is refused or bounded
  (`reduce`, `range()` over more than `MAX_RANGE` numbers, with non-literal bounds or more than
  `MAX_RANGES` together, a list comprehension inside another, more than `MAX_CONCATENATIONS`
  ``+``), because the engine has one heap for every query.

The engine still refuses writes itself (the reader user) and still stops long queries (its
timeout); this check is what keeps a statement from reaching it when no engine limit applies.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from graph.errors import GraphError

MAX_RANGE = 10_000
"""Most numbers one ``range()`` may produce."""
MAX_RANGES = 1_000_000
"""Most numbers all the ``range()`` of a statement may produce multiplied together (nested or
unwound one inside the other)."""
MAX_CONCATENATIONS = 10
"""Most ``+`` in a statement: each can double a string or list, so 2^10 times a literal."""

FUNCTIONS = frozenset(
    {
        # aggregates
        "count", "collect", "sum", "avg", "min", "max", "stdev", "stdevp",
        "percentilecont", "percentiledisc",
        # scalars
        "coalesce", "id", "elementid", "head", "last", "size", "length", "type", "startnode",
        "endnode", "properties", "nullif", "tointeger", "tofloat", "toboolean", "tostring",
        "tointegerornull", "tofloatornull", "tobooleanornull", "tostringornull",
        # lists and paths
        "keys", "labels", "nodes", "relationships", "range", "reverse", "tail",
        # strings
        "tolower", "toupper", "trim", "ltrim", "rtrim", "substring", "left", "right", "split",
        # numbers
        "abs", "ceil", "floor", "round", "sign", "sqrt", "exp", "log", "log10",
        # temporal values
        "date", "datetime", "localdatetime", "localtime", "time", "duration",
        # predicates and path patterns
        "exists", "all", "any", "none", "single", "isempty", "shortestpath", "allshortestpaths",
    }
)  # fmt: skip
"""The functions researchers may call (lower case): openCypher's built-ins that cannot build a
large value, reach outside the graph, sleep or fingerprint the server."""

PROCEDURES: frozenset[str] = frozenset()
"""The procedures researchers may CALL (lower case): none."""

ALLOWED_KEYWORDS = frozenset(
    {
        "MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "ORDER", "BY", "SKIP",
        "LIMIT", "UNION", "ALL", "DISTINCT", "AS", "ASC", "DESC", "ASCENDING", "DESCENDING",
        "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL",
        "TRUE", "FALSE", "STARTS", "ENDS", "CONTAINS", "EXISTS", "COUNT", "COLLECT", "CALL",
        "ANY", "NONE", "SINGLE", "SHORTESTPATH", "ALLSHORTESTPATHS",
    }
)  # fmt: skip
"""Keywords that may be followed by ``(`` or ``{`` without being a function call."""

REFUSED_WORDS = frozenset(
    {
        # writes
        "CREATE", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH",
        "INSERT", "FINISH",
        # reaching outside the graph, or another graph
        "LOAD", "CSV", "USE", "PERIODIC", "COMMIT", "TRANSACTIONS", "TRANSACTION",
        # procedures' output and query options
        "YIELD", "EXPLAIN", "PROFILE", "CYPHER", "USING",
        # administration
        "SHOW", "DROP", "ALTER", "GRANT", "DENY", "REVOKE", "START", "STOP", "TERMINATE",
        "ENABLE", "RENAME", "DATABASE", "DATABASES", "DBMS", "INDEX", "INDEXES", "CONSTRAINT",
        "CONSTRAINTS", "USER", "USERS", "ROLE", "ROLES", "PRIVILEGE", "PRIVILEGES", "PASSWORD",
        "ALIAS", "SERVER", "SERVERS", "IMPERSONATE", "EXECUTE", "DEALLOCATE", "REALLOCATE",
        "PROCEDURES", "FUNCTIONS", "SETTINGS",
    }
)  # fmt: skip
"""Keywords of clauses researchers may not use, wherever they stand as a keyword."""

Kind = Literal["word", "quoted", "string", "number", "param", "symbol"]


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    """Words folded (NFKC, upper case); quoted names unquoted; symbols as written."""
    offset: int


class NotAllowed(GraphError):
    """The statement uses something researchers may not: the message names it."""


class Malformed(GraphError):
    """The statement cannot be read as Cypher (an unterminated string or comment)."""


_LINE_ENDS = "\n\r\u2028\u2029\x85"
_TWO_CHAR = frozenset({"->", "<-", "<>", "<=", ">=", "=~", "+=", "..", "::", "||"})


def tokens(statement: str) -> list[Token]:
    """The statement's tokens, without comments or whitespace.

    Raises:
        Malformed: a string, quoted name or comment is not closed, or a character cannot
            start a token.
    """
    found: list[Token] = []
    i, n = 0, len(statement)
    while i < n:
        c = statement[i]
        if c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            i += 1
        elif statement.startswith("//", i):
            while i < n and statement[i] not in _LINE_ENDS:
                i += 1
        elif statement.startswith("/*", i):
            end = statement.find("*/", i + 2)
            if end < 0:
                raise Malformed(f"A comment opened at character {i + 1} is never closed.")
            i = end + 2
        elif c in "'\"":
            i = _string(statement, i, found)
        elif c == "`":
            i = _quoted(statement, i, found)
        elif c == "$":
            j = _word_end(statement, i + 1)
            found.append(Token("param", statement[i + 1 : j], i))
            i = max(j, i + 1)
        elif c.isdigit():
            j = i
            while j < n and (statement[j].isalnum() or statement[j] in "._"):
                if statement.startswith("..", j):
                    break
                j += 1
            found.append(Token("number", statement[i:j], i))
            i = j
        elif _starts_word(c):
            j = _word_end(statement, i)
            found.append(Token("word", _fold(statement[i:j]), i))
            i = j
        elif statement[i : i + 2] in _TWO_CHAR:
            found.append(Token("symbol", statement[i : i + 2], i))
            i += 2
        elif c == "\\":
            raise Malformed(f"A backslash at character {i + 1} is outside a string.")
        else:
            found.append(Token("symbol", _fold(c), i))
            i += 1
    return found


def check(statement: str) -> None:
    """Refuse a statement that uses anything researchers may not (see the module's docstring).

    Raises:
        NotAllowed: the message names what was refused.
        Malformed: the statement cannot be tokenised.
    """
    found = tokens(statement)
    _check_nesting(found)
    concatenations, ranges = 0, 1
    for index, token in enumerate(found):
        previous = found[index - 1] if index else None
        if token.kind == "symbol":
            if token.text == ";" and index != len(found) - 1:
                raise NotAllowed("Only one statement may run: remove the ';' between statements.")
            concatenations += token.text in ("+", "+=")
            continue
        if token.kind not in ("word", "quoted") or _is_property(previous):
            continue
        name, after = _dotted(found, index)
        called = after < len(found) and found[after].text == "("
        if previous is not None and previous.kind == "word" and previous.text == "CALL":
            _check_procedure(name)
        elif token.kind == "word" and token.text in REFUSED_WORDS and not _is_name(found, index):
            # Before the function check: `CREATE (n)` is a clause, not a call of CREATE().
            raise NotAllowed(f"{token.text} is not allowed: researchers' Cypher may only read.")
        elif called and not (token.kind == "word" and name.upper() in ALLOWED_KEYWORDS):
            ranges *= _check_function(name, found, after)
            if ranges > MAX_RANGES:
                raise NotAllowed(f"All range() together may produce {MAX_RANGES} numbers at most.")
    if concatenations > MAX_CONCATENATIONS:
        raise NotAllowed(
            f"At most {MAX_CONCATENATIONS} '+' may appear in one statement "
            "(repeated concatenation can build values larger than the server's memory)."
        )


def _check_procedure(name: str) -> None:
    if name.lower() not in PROCEDURES:
        raise NotAllowed(f"CALL {name} is not allowed: researchers may not call procedures.")


def _check_function(name: str, found: list[Token], after: int) -> int:
    """Refuse a function not allowed; return how many numbers it makes (range), else 1."""
    lowered = name.lower()
    if lowered == "reduce":
        raise NotAllowed("reduce() is not allowed: it can build values larger than memory.")
    if lowered not in FUNCTIONS:
        raise NotAllowed(f"The function {name}() is not allowed here.")
    return _check_range(found, after) if lowered == "range" else 1


def _check_nesting(found: list[Token]) -> None:
    """Refuse a list comprehension inside another: together they can build lists of any size."""
    brackets: list[bool] = []  # for each open '[': whether it is a comprehension
    for index, token in enumerate(found):
        if token.kind != "symbol":
            continue
        if token.text == "[":
            ahead = found[index + 1 : index + 3]
            comprehension = ahead[0].text == "(" if ahead else False
            comprehension |= len(ahead) == 2 and ahead[1].kind == "word" and ahead[1].text == "IN"
            if comprehension and any(brackets):
                raise NotAllowed("A list comprehension inside another is not allowed here.")
            brackets.append(comprehension)
        elif token.text == "]" and brackets:
            brackets.pop()


def _check_range(found: list[Token], start: int) -> int:
    """range() only with integer literal bounds (and step) spanning at most MAX_RANGE."""
    arguments: list[int] = []
    i, sign = start + 1, 1
    while i < len(found) and found[i].text != ")":
        token = found[i]
        if token.text == "-" and token.kind == "symbol":
            sign = -sign
        elif token.kind == "number" and token.text.isdigit():
            arguments.append(sign * int(token.text))
            sign = 1
        elif token.text != ",":
            raise NotAllowed("range() may only take whole-number literals as its bounds and step.")
        i += 1
    if len(arguments) not in (2, 3):
        raise NotAllowed("range() needs a start and an end (and optionally a step).")
    low, high, step = arguments[0], arguments[1], arguments[2] if len(arguments) == 3 else 1
    size = max(0, (high - low) // step + 1) if step else MAX_RANGE + 1
    if size > MAX_RANGE:
        raise NotAllowed(f"range() may produce at most {MAX_RANGE} numbers.")
    return max(size, 1)


def _dotted(found: list[Token], index: int) -> tuple[str, int]:
    """The dotted name starting at `index` (a.b.c) and the index of the token after it."""
    parts = [found[index].text]
    i = index + 1
    while (
        i + 1 < len(found)
        and found[i].text == "."
        and found[i].kind == "symbol"
        and found[i + 1].kind in ("word", "quoted")
    ):
        parts.append(found[i + 1].text)
        i += 2
    return ".".join(parts), i


def _is_property(previous: Token | None) -> bool:
    # `n.create` and `$create` are names, whatever they spell.
    return previous is not None and previous.kind == "symbol" and previous.text == "."


def _is_name(found: list[Token], index: int) -> bool:
    """A word used as a label, relationship type or map key, not as a keyword."""
    previous = found[index - 1] if index else None
    following = found[index + 1] if index + 1 < len(found) else None
    if following is not None and following.text == ":" and following.kind == "symbol":
        return True  # a map key, or a variable with a label: never a clause keyword
    return previous is not None and previous.kind == "symbol" and previous.text in ":|&!"


def _string(statement: str, start: int, found: list[Token]) -> int:
    quote, i, n = statement[start], start + 1, len(statement)
    while i < n:
        if statement[i] == "\\":
            i += 2
        elif statement[i] == quote:
            found.append(Token("string", statement[start + 1 : i], start))
            return i + 1
        else:
            i += 1
    raise Malformed(f"A string opened at character {start + 1} is never closed.")


def _quoted(statement: str, start: int, found: list[Token]) -> int:
    i, n, text = start + 1, len(statement), []
    while i < n:
        if statement.startswith("``", i):
            text.append("`")
            i += 2
        elif statement[i] == "`":
            found.append(Token("quoted", "".join(text), start))
            return i + 1
        else:
            text.append(statement[i])
            i += 1
    raise Malformed(f"A quoted name opened at character {start + 1} is never closed.")


def _starts_word(c: str) -> bool:
    return c.isalpha() or c == "_" or unicodedata.category(c) in ("Nl", "Pc")


def _word_end(statement: str, i: int) -> int:
    while i < len(statement) and (statement[i].isalnum() or statement[i] in "_"):
        i += 1
    return i


def _fold(text: str) -> str:
    # Full-width and other compatibility forms read as the plain letters they show.
    return unicodedata.normalize("NFKC", text).upper()
