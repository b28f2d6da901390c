"""One spelling of each controlled value everywhere, and the older spellings still read."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from pydantic import ValidationError

from loaders.records import EvidenceRecord, EvidenceTypeName
from ontology.namespaces import CG
from ontology.reading import concept_values

CLAIM = ox.NamedNode("http://example.org/id/evidence-claim/c")
ORGANISATION = ox.NamedNode("http://example.org/id/organisation/o")


@pytest.mark.parametrize("spelt", ["independent-evaluation", "independent_evaluation"])
def test_an_evidence_type_reads_in_both_spellings_as_its_uri_spelling(spelt: str) -> None:
    record = EvidenceRecord.model_validate({"outcome": "inclusion", "evidence_type": spelt})
    assert record.evidence_type is EvidenceTypeName.INDEPENDENT_EVALUATION
    assert record.evidence_type.value == record.evidence_type.node_id == "independent-evaluation"


@pytest.mark.parametrize("spelt", ["independent evaluation", "independent", "great"])
def test_other_evidence_types_are_still_refused(spelt: str) -> None:
    with pytest.raises(ValidationError, match="evidence_type"):
        EvidenceRecord.model_validate({"outcome": "inclusion", "evidence_type": spelt})


def test_controlled_literals_are_read_as_their_concepts() -> None:
    triples = [
        ox.Triple(CLAIM, ox.NamedNode(CG.direction), ox.Literal("no_effect")),
        ox.Triple(ORGANISATION, ox.NamedNode(CG.organisationType), ox.Literal("council")),
        ox.Triple(CLAIM, ox.NamedNode(CG.direction), ox.NamedNode(CG._NS["positive"])),
        ox.Triple(CLAIM, ox.NamedNode(CG.direction), ox.Literal("great")),
        ox.Triple(CLAIM, ox.NamedNode(CG.reason), ox.Literal("positive")),
    ]
    assert [t.object for t in concept_values(triples)] == [
        ox.NamedNode(CG._NS["no_effect"]),
        ox.NamedNode(CG._NS["council"]),
        ox.NamedNode(CG._NS["positive"]),
        ox.Literal("great"),  # no such concept: left for the shapes to refuse
        ox.Literal("positive"),  # not a controlled property
    ]
