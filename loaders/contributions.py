"""The rules a partner's contribution must keep, beyond the shapes: what it may describe, whose
nodes it may touch, and how strong its evidence may claim to be."""

from __future__ import annotations

from collections.abc import Mapping

from graph import writes
from graph.db import Db
from graph.model import Kind, Rel
from graph.vocabulary import Term, from_graph
from loaders.checks import with_article
from ontology.mapping import PREDICATES
from ontology.reading import Problem, Read, node_iri_text

_CONTRIBUTABLE = frozenset({Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM})
_HAS_CLAIM = str(PREDICATES[Rel.HAS_CLAIM])


async def contributor_problems(db: Db, read: Read, base: str, contributor: str) -> list[Problem]:
    """A partner may add case studies and claims, change only those it added itself, link
    only to its own claims, and say nothing that would be silently ignored or lost."""
    problems = [
        Problem(
            subject,
            "Not one of our case studies or claims (no rdf:type cg:CaseStudy or "
            "cg:EvidenceClaim): nothing would be read from it. Type it, or leave it out.",
        )
        for subject in read.ignored
    ]
    problems += [
        Problem(
            node_iri_text(base, n.kind, n.id),
            "Contributions describe case studies and evidence claims; "
            f"this is {with_article(n.kind)}.",
        )
        for n in read.nodes
        if n.kind not in _CONTRIBUTABLE
    ]
    existing = await writes.owners(db, [n.id for n in read.nodes])
    problems += [
        Problem(
            node_iri_text(base, n.kind, n.id),
            "Already in the graph and not contributed by you: choose another id.",
        )
        for n in read.nodes
        if n.id in existing and existing[n.id] != contributor
    ]
    return problems + await _claim_links(db, read, base, contributor, existing)


async def _claim_links(
    db: Db, read: Read, base: str, contributor: str, existing: dict[str, str | None]
) -> list[Problem]:
    """Claims linked must be the contributor's own; a study in the graph that states none of
    its claims would lose them all, so that is refused rather than done silently."""
    described = {n.id for n in read.nodes}
    linked = [link for link in read.links if link.rel is Rel.HAS_CLAIM]
    foreign = [link for link in linked if link.to_id not in described]
    owners = await writes.owners(db, [link.to_id for link in foreign])
    problems = [
        Problem(
            node_iri_text(base, Kind.CASE_STUDY, link.from_id),
            f"Links to the claim {link.to_id!r}, which is not yours: a case study may have "
            "only claims its contributor made.",
            _HAS_CLAIM,
            node_iri_text(base, Kind.EVIDENCE_CLAIM, link.to_id),
        )
        for link in foreign
        if link.to_id in owners and owners[link.to_id] != contributor
    ]
    stating = {link.from_id for link in linked}
    studies = [
        n.id
        for n in read.nodes
        if n.kind is Kind.CASE_STUDY and n.id in existing and n.id not in stating
    ]
    for study, claims in (await writes.claims_of(db, studies)).items():
        problems.append(
            Problem(
                node_iri_text(base, Kind.CASE_STUDY, study),
                f"States no cg:hasClaim, so its claims ({', '.join(sorted(claims))}) would be "
                "removed: restate the claims it keeps.",
                _HAS_CLAIM,
            )
        )
    return problems


async def claim_strengths(db: Db, read: Read, base: str) -> list[Problem]:
    """A claim's strength is its level's, on the common scale, never what a file says; and no
    higher than its evidence type supports (the type's level in data/evidence/scales.yaml)."""
    claims = [n for n in read.nodes if n.kind is Kind.EVIDENCE_CLAIM]
    if not claims:
        return []
    vocabulary = await from_graph(db)
    strengths: dict[str, object] = {t.id: t.strength for t in vocabulary.terms.values()}
    for node in read.nodes:
        if node.kind is Kind.EVIDENCE_LEVEL:
            strengths[node.id] = node.props.get("strength")
    problems = []
    for claim in claims:
        subject = node_iri_text(base, claim.kind, claim.id)
        level = str(claim.props.get("level"))
        expected = strengths.get(level)
        stated = claim.props.get("strength")
        if not isinstance(expected, int):
            continue  # the shapes report a missing or unknown level
        if stated is not None and stated != expected:
            problems.append(
                Problem(
                    subject,
                    f"cg:strength {stated} does not match its level {level!r} "
                    f"(strength {expected}): a claim's strength comes from its level.",
                )
            )
        claim.props["strength"] = expected
        problems += _above_its_type(vocabulary.terms, strengths, subject, claim.props, expected)
    return problems


def _above_its_type(
    terms: Mapping[str, Term],
    strengths: Mapping[str, object],
    subject: str,
    props: Mapping[str, object],
    strength: int,
) -> list[Problem]:
    type_id = str(props.get("evidence_type"))
    term = terms.get(type_id)
    ceiling_level = term.default_level if term is not None else None
    ceiling = strengths.get(str(ceiling_level))
    if not isinstance(ceiling, int) or strength <= ceiling:
        return []
    message = (
        f"Its level {props['level']!r} (strength {strength}) is more than {type_id!r} "
        f"evidence supports: at most strength {ceiling} ({ceiling_level!r})."
    )
    return [Problem(subject, message, str(PREDICATES[Rel.AT_LEVEL]), str(props["level"]))]
