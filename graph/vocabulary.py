"""Match the names people type (outcomes, themes, regions, organisations) to graph ids.

Tolerant of case, spacing, punctuation, '&' for 'and', plurals, ids typed as names, the
alternative names in the data (`alt_names`), and unambiguous word prefixes ("Regeneration").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from graph.db import Db
from graph.model import Kind
from graph.queries import nodes as nodes_q


@dataclass(frozen=True)
class Term:
    """A node that names can resolve to."""

    id: str
    kind: Kind
    name: str
    alt_names: tuple[str, ...] = ()
    strength: int | None = None
    default_level: str | None = None


class Unknown(ValueError):
    """A name matches nothing (or several things) of the kinds asked for."""


# Cached: a large file names the same few hundred organisations and places on every row, and
# folding each again was about 8% of the time spent building a case study's rows (cProfile, M).
@lru_cache(maxsize=16_384)
def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", folded).replace("_", " ").split())


def slugify(text: str) -> str:
    return normalise(text).replace(" ", "-")


@dataclass
class Vocabulary:
    """Every term by id, and an index from normalised names to ids, per kind."""

    terms: dict[str, Term] = field(default_factory=dict)
    _index: dict[Kind, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    _memo: dict[tuple[str, str, tuple[Kind, ...]], str | Unknown | None] = field(
        default_factory=dict
    )
    """Answers already given: a large file names the same few outcomes and themes each row."""

    def add(self, term: Term) -> None:
        self._memo.clear()
        self.terms[term.id] = term
        keys = {term.name, term.id.replace("-", " "), *term.alt_names}
        for key in keys:
            norm = normalise(key)
            self._index[term.kind][norm].add(term.id)
            self._index[term.kind][norm.removesuffix("s")].add(term.id)

    def resolve(self, text: str, *kinds: Kind) -> str:
        """The id `text` names among `kinds`.

        Raises:
            Unknown: nothing matches, or a prefix matches more than one; the message lists
                the valid choices.
        """
        key = ("resolve", text, kinds)
        if key not in self._memo:
            try:
                self._memo[key] = self._resolve(text, kinds)
            except Unknown as e:
                self._memo[key] = e
        answer = self._memo[key]
        if isinstance(answer, str):
            return answer
        raise Unknown(str(answer))

    def find(self, text: str, *kinds: Kind) -> str | None:
        """The id of an exact (normalised) match, or None; never guesses by prefix."""
        key = ("find", text, kinds)
        if key not in self._memo:
            candidates = self._exact(normalise(text), kinds)
            self._memo[key] = next(iter(candidates)) if len(candidates) == 1 else None
        answer = self._memo[key]
        return answer if isinstance(answer, str) else None

    def _resolve(self, text: str, kinds: tuple[Kind, ...]) -> str:
        norm = normalise(text)
        for candidates in (self._exact(norm, kinds), self._prefix(norm, kinds)):
            if len(candidates) == 1:
                return next(iter(candidates))
            if len(candidates) > 1:
                names = ", ".join(sorted(self.terms[c].name for c in candidates))
                raise Unknown(f"{text!r} is ambiguous: it could be {names}.")
        choices = sorted(t.name for t in self.terms.values() if t.kind in kinds)
        what = " or ".join(k.value for k in kinds)
        raise Unknown(f"{text!r} is not a known {what}. Valid choices: {'; '.join(choices)}.")

    def _exact(self, norm: str, kinds: tuple[Kind, ...]) -> set[str]:
        found: set[str] = set()
        for kind in kinds:
            found |= self._index[kind].get(norm, set()) | self._index[kind].get(
                norm.removesuffix("s"), set()
            )
        return found

    def _prefix(self, norm: str, kinds: tuple[Kind, ...]) -> set[str]:
        if len(norm) < 3:
            return set()
        return {
            term_id
            for kind in kinds
            for key, ids in self._index[kind].items()
            if key.startswith(norm + " ")
            for term_id in ids
        }


async def from_graph(db: Db) -> Vocabulary:
    """The names in the graph that input may refer to: outcomes, themes, regions, ..."""
    vocabulary = Vocabulary()
    for r in await db.read(nodes_q.VOCABULARY):
        kind = Kind.from_label(r["labels"])
        alt_names = tuple(r["alt_names"] or ())
        vocabulary.add(Term(r["id"], kind, r["name"], alt_names, r["strength"], r["default_level"]))
    return vocabulary
