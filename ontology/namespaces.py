"""Our ontology's terms for Python. `_fail = True`: a misspelt term is an error, not a new IRI."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

ONTOLOGY_IRI = "https://w3id.org/connects-graph/def"


class CG(DefinedNamespace):
    """Terms declared in ontology/connects.ttl (a test checks each one is)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    StrategicPriority: URIRef
    RecoveryPillar: URIRef
    EcosystemPillar: URIRef
    EcosystemService: URIRef
    ProgrammeComponent: URIRef
    PolicyTheme: URIRef
    KeyChallenge: URIRef
    KeyOpportunity: URIRef
    Outcome: URIRef
    PlaceArea: URIRef
    PlaceAim: URIRef
    BriefingTopic: URIRef
    EvidenceFunction: URIRef
    FocusArea: URIRef
    ResearchInstitute: URIRef
    Publication: URIRef
    Load: URIRef
    Intervention: URIRef
    InterventionFamily: URIRef
    appliesIntervention: URIRef
    reportedCost: URIRef
    costBasis: URIRef
    costYear: URIRef
    hasKeyChallenge: URIRef
    hasKeyOpportunity: URIRef
    focusesOn: URIRef
    partnerOf: URIRef
    involves: URIRef
    sourceSection: URIRef
    sourceFile: URIRef
    inputFile: URIRef
    inputChecksum: URIRef
    activityKind: URIRef
    decision: URIRef
    reason: URIRef
    change: URIRef
    submitterClaim: URIRef
    curatorGrade: URIRef
    evaluationStatus: URIRef
    expectedReportDate: URIRef
    plannedOutcome: URIRef
    resolvesReport: URIRef
    EvidenceLevel: URIRef
    EvidenceType: URIRef
    Rating: URIRef
    Region: URIRef
    Place: URIRef
    CaseStudy: URIRef
    EvidenceClaim: URIRef
    Resource: URIRef
    defaultLevel: URIRef
    inRegion: URIRef
    ledBy: URIRef
    withPartner: URIRef
    addresses: URIRef
    hasClaim: URIRef
    forOutcome: URIRef
    evidenceLevel: URIRef
    evidenceType: URIRef
    strength: URIRef
    direction: URIRef
    yearStart: URIRef
    yearEnd: URIRef
    reportedResult: URIRef
    resourceType: URIRef
    gssCode: URIRef
    organisationType: URIRef
    statisticalGeography: URIRef
    sha256: URIRef
    rank: URIRef
    minPositive: URIRef
    minStrength: URIRef
    minPositiveAtStrength: URIRef
    maxAgainstAtStrength: URIRef
    minPositiveShare: URIRef
    minAgainstShare: URIRef
    gapIntervention: URIRef
    gapOutcome: URIRef
    caseStudyCount: URIRef
    positiveCount: URIRef
    mixedCount: URIRef
    negativeCount: URIRef
    noEffectCount: URIRef
    notStatedCount: URIRef
    plannedEvaluationCount: URIRef
    bestStrength: URIRef
    strongestCaseStudy: URIRef
