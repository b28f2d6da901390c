"""The graph's vocabulary: node kinds, relationship types and which kinds each type may join.

These enums are the allow-lists: a label or relationship type reaches Cypher only through them.
"""

from __future__ import annotations

import re
from enum import StrEnum

ENTITY_LABEL = "Entity"
"""Every framework node carries this label as well as its kind: it holds the unique id index."""


class Kind(StrEnum):
    """The kinds of node in the framework; each is also a label in the graph."""

    PUBLICATION = "Publication"
    SCHEME = "Scheme"
    STRATEGIC_PRIORITY = "StrategicPriority"
    RECOVERY_PILLAR = "RecoveryPillar"
    ECOSYSTEM_PILLAR = "EcosystemPillar"
    ECOSYSTEM_SERVICE = "EcosystemService"
    PROGRAMME_COMPONENT = "ProgrammeComponent"
    POLICY_THEME = "PolicyTheme"
    KEY_CHALLENGE = "KeyChallenge"
    KEY_OPPORTUNITY = "KeyOpportunity"
    OUTCOME = "Outcome"
    PLACE_AREA = "PlaceArea"
    PLACE_AIM = "PlaceAim"
    BRIEFING_TOPIC = "BriefingTopic"
    EVIDENCE_FUNCTION = "EvidenceFunction"
    ORGANISATION = "Organisation"
    RESEARCH_INSTITUTE = "ResearchInstitute"
    FOCUS_AREA = "FocusArea"
    EVIDENCE_LEVEL = "EvidenceLevel"
    EVIDENCE_TYPE = "EvidenceType"
    REGION = "Region"
    PLACE = "Place"
    CASE_STUDY = "CaseStudy"
    EVIDENCE_CLAIM = "EvidenceClaim"
    RESOURCE = "Resource"
    RATING = "Rating"
    INTERVENTION_FAMILY = "InterventionFamily"
    INTERVENTION = "Intervention"

    @property
    def slug(self) -> str:
        """The kind as it appears in URLs: ``PolicyTheme`` -> ``policy-theme``."""
        return _SLUGS[self]

    @classmethod
    def from_label(cls, labels: list[str]) -> Kind:
        """The kind among a node's labels (every framework node has exactly one)."""
        for label in labels:
            if label != ENTITY_LABEL and label in _BY_VALUE:
                return _BY_VALUE[label]
        raise ValueError(f"No known kind among labels {labels!r}")


_BY_VALUE = {k.value: k for k in Kind}
_SLUGS = {k: re.sub(r"(?<!^)([A-Z])", r"-\1", k.value).lower() for k in Kind}

ORGANISATIONS = frozenset({Kind.ORGANISATION, Kind.RESEARCH_INSTITUTE})
RECORDS = frozenset(
    {
        Kind.PUBLICATION,
        Kind.SCHEME,
        Kind.REGION,
        Kind.PLACE,
        Kind.CASE_STUDY,
        Kind.EVIDENCE_CLAIM,
        Kind.RESOURCE,
    }
)
"""Kinds that describe things and events rather than ideas in a scheme."""
CONCEPTS = frozenset(Kind) - ORGANISATIONS - RECORDS
"""Kinds published as SKOS concepts, each in exactly one scheme."""


class Rel(StrEnum):
    """Relationship types; each is also a relationship type in the graph."""

    IN_SCHEME = "IN_SCHEME"
    BROADER = "BROADER"
    RELATED = "RELATED"
    HAS_CHALLENGE = "HAS_CHALLENGE"
    HAS_OPPORTUNITY = "HAS_OPPORTUNITY"
    UNIT_OF = "UNIT_OF"
    FOCUSES_ON = "FOCUSES_ON"
    DEVELOPED_BY = "DEVELOPED_BY"
    PARTNER_OF = "PARTNER_OF"
    INVOLVES = "INVOLVES"
    DEFAULT_LEVEL = "DEFAULT_LEVEL"
    IN_REGION = "IN_REGION"
    LED_BY = "LED_BY"
    WITH_PARTNER = "WITH_PARTNER"
    LOCATED_IN = "LOCATED_IN"
    ADDRESSES = "ADDRESSES"
    HAS_CLAIM = "HAS_CLAIM"
    FOR_OUTCOME = "FOR_OUTCOME"
    AT_LEVEL = "AT_LEVEL"
    OF_TYPE = "OF_TYPE"
    HAS_RESOURCE = "HAS_RESOURCE"
    ABOUT = "ABOUT"
    APPLIES = "APPLIES"
    CLOSE_MATCH = "CLOSE_MATCH"
    BROAD_MATCH = "BROAD_MATCH"


ENDPOINTS: dict[Rel, tuple[frozenset[Kind], frozenset[Kind]]] = {
    Rel.IN_SCHEME: (CONCEPTS, frozenset({Kind.SCHEME})),
    Rel.BROADER: (
        frozenset({Kind.ECOSYSTEM_SERVICE, Kind.PLACE_AIM, Kind.INTERVENTION}),
        frozenset({Kind.ECOSYSTEM_PILLAR, Kind.PLACE_AREA, Kind.INTERVENTION_FAMILY}),
    ),
    Rel.RELATED: (CONCEPTS, CONCEPTS),
    Rel.HAS_CHALLENGE: (frozenset({Kind.POLICY_THEME}), frozenset({Kind.KEY_CHALLENGE})),
    Rel.HAS_OPPORTUNITY: (frozenset({Kind.POLICY_THEME}), frozenset({Kind.KEY_OPPORTUNITY})),
    Rel.UNIT_OF: (frozenset({Kind.RESEARCH_INSTITUTE}), frozenset({Kind.ORGANISATION})),
    Rel.FOCUSES_ON: (frozenset({Kind.RESEARCH_INSTITUTE}), frozenset({Kind.FOCUS_AREA})),
    Rel.DEVELOPED_BY: (
        frozenset({Kind.SCHEME, Kind.PUBLICATION, Kind.RESOURCE}),
        ORGANISATIONS,
    ),
    Rel.PARTNER_OF: (ORGANISATIONS, frozenset({Kind.ORGANISATION})),
    Rel.INVOLVES: (CONCEPTS, ORGANISATIONS),
    Rel.DEFAULT_LEVEL: (frozenset({Kind.EVIDENCE_TYPE}), frozenset({Kind.EVIDENCE_LEVEL})),
    Rel.IN_REGION: (frozenset({Kind.PLACE}), frozenset({Kind.REGION})),
    Rel.LED_BY: (frozenset({Kind.CASE_STUDY}), ORGANISATIONS),
    Rel.WITH_PARTNER: (frozenset({Kind.CASE_STUDY}), ORGANISATIONS),
    Rel.LOCATED_IN: (frozenset({Kind.CASE_STUDY}), frozenset({Kind.PLACE})),
    Rel.ADDRESSES: (frozenset({Kind.CASE_STUDY}), frozenset({Kind.POLICY_THEME})),
    Rel.HAS_CLAIM: (frozenset({Kind.CASE_STUDY}), frozenset({Kind.EVIDENCE_CLAIM})),
    Rel.FOR_OUTCOME: (frozenset({Kind.EVIDENCE_CLAIM}), frozenset({Kind.OUTCOME})),
    Rel.AT_LEVEL: (frozenset({Kind.EVIDENCE_CLAIM}), frozenset({Kind.EVIDENCE_LEVEL})),
    Rel.OF_TYPE: (frozenset({Kind.EVIDENCE_CLAIM}), frozenset({Kind.EVIDENCE_TYPE})),
    Rel.HAS_RESOURCE: (frozenset({Kind.CASE_STUDY}), frozenset({Kind.RESOURCE})),
    Rel.ABOUT: (
        frozenset({Kind.RESOURCE}),
        frozenset({Kind.POLICY_THEME, Kind.OUTCOME, Kind.BRIEFING_TOPIC}),
    ),
    Rel.APPLIES: (frozenset({Kind.CASE_STUDY}), frozenset({Kind.INTERVENTION})),
    # The crosswalk between evidence scales, as SKOS mapping links between their levels.
    Rel.CLOSE_MATCH: (frozenset({Kind.EVIDENCE_LEVEL}), frozenset({Kind.EVIDENCE_LEVEL})),
    Rel.BROAD_MATCH: (frozenset({Kind.EVIDENCE_LEVEL}), frozenset({Kind.EVIDENCE_LEVEL})),
}
"""For each relationship type: the kinds it may start from and the kinds it may point to."""


def allowed(rel: Rel, source: Kind, target: Kind) -> bool:
    sources, targets = ENDPOINTS[rel]
    return source in sources and target in targets


FULL_TEXT_INDEX = "entity_text"
"""The full-text index on `Entity` name and description, by the same name on both engines."""
