"""CSVW metadata (https://www.w3.org/TR/tabular-metadata/) for our CSV outputs: a table
schema whose columns are the CSV's header, in order, with datatypes, and IRIs where a column
holds ids of things or concepts, so statistical tools and CSV-to-RDF converters can read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.evidence import DIRECTION_WORDS
from graph.evidence_csv import EVIDENCE_COLUMNS, gap_map_header
from graph.model import Kind
from graph.rating_rule import STRENGTH_NAMES
from ontology.dataset import LICENCE
from ontology.namespaces import CG

MEDIA_TYPE = "application/csvm+json"
CONTEXT = "http://www.w3.org/ns/csvw"
"""The context CSVW requires, by this exact name (a processor knows it, it is not fetched)."""
LOCAL_CONTEXT: dict[str, Any] = {
    "csvw": "http://www.w3.org/ns/csvw#",
    "dc": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "url": {"@id": "csvw:url", "@type": "@id"},
    "tableSchema": {"@id": "csvw:tableSchema"},
    "columns": {"@id": "csvw:column", "@container": "@list"},
    "name": {"@id": "csvw:name"},
    "titles": {"@id": "csvw:title", "@language": "en"},
    "datatype": {"@id": "csvw:datatype", "@type": "@vocab"},
    "separator": {"@id": "csvw:separator"},
    "propertyUrl": {"@id": "csvw:propertyUrl"},
    "valueUrl": {"@id": "csvw:valueUrl"},
    "aboutUrl": {"@id": "csvw:aboutUrl"},
    "primaryKey": {"@id": "csvw:primaryKey"},
    "dc:title": {"@language": "en"},
    "dc:description": {"@language": "en"},
    "dc:license": {"@type": "@id"},
    "string": "xsd:string",
    "integer": "xsd:integer",
    "anyURI": "xsd:anyURI",
}
"""The part of the CSVW context our metadata uses, for reading it as JSON-LD offline (tests)."""


def described_by(url: str, headers: dict[str, str]) -> dict[str, str]:
    """`headers` with a Link to the CSVW metadata at `url` (after any Link already there)."""
    link = f'<{url}>; rel="describedby"; type="{MEDIA_TYPE}"'
    return headers | {"Link": ", ".join(filter(None, (headers.get("Link"), link)))}


_KIND_OF = {
    "intervention": Kind.INTERVENTION,
    "outcome": Kind.OUTCOME,
    "theme": Kind.POLICY_THEME,
    "region": Kind.REGION,
    "evidence_type": Kind.EVIDENCE_TYPE,
}


@dataclass(frozen=True)
class Column:
    """One CSV column: its header is its name and title."""

    name: str
    description: str
    datatype: str = "string"
    value_url: str | None = None
    property_url: str | None = None
    separator: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "titles": self.name,
            "dc:description": self.description,
            "datatype": self.datatype,
        }
        optional = {
            "valueUrl": self.value_url,
            "propertyUrl": self.property_url,
            "separator": self.separator,
        }
        return out | {k: v for k, v in optional.items() if v is not None}


def metadata(url: str, title: str, columns: list[Column], about: str | None) -> dict[str, Any]:
    """The metadata document of the table at `url` (any filtered variant shares the schema)."""
    schema: dict[str, Any] = {"columns": [c.as_json() for c in columns]}
    if about is not None:
        schema["aboutUrl"] = about
    return {
        "@context": [CONTEXT, {"@language": "en"}],
        "url": url,
        "dc:title": title,
        "dc:license": LICENCE,
        "tableSchema": schema,
    }


def evidence_metadata(base: str, table: str | None = None) -> dict[str, Any]:
    """The evidence list's CSV (GET /evidence?format=csv, or `table`, the path and query of the
    CSV asked for): one row per case study."""
    case_study = f"{base}/id/{Kind.CASE_STUDY.slug}/{{id}}"
    described = {
        "id": Column("id", "The case study's id.", value_url=case_study),
        "title": Column("title", "The case study's title."),
        "organisation": Column("organisation", "The lead organisations.", separator="; "),
        "strength": Column(
            "strength",
            "The strongest evidence, 1-5 (1 reported ... 5 peer reviewed).",
            "integer",
            property_url=str(CG.strength),
        ),
        "strength_name": Column("strength_name", "The strength in words."),
        "directions": Column(
            "directions", "Each claim's outcome and reported direction.", separator="; "
        ),
        "outcomes": Column("outcomes", "The outcomes the claims are about.", separator="; "),
        "interventions": Column("interventions", "The interventions applied.", separator="; "),
        "regions": Column("regions", "The regions.", separator="; "),
        "year": Column("year", "The year, or first and last year (2019-2021)."),
        "source_urls": Column("source_urls", "The sources.", "anyURI", separator="; "),
    }
    columns = [described[name] for name in EVIDENCE_COLUMNS]
    url = base + (table or "/evidence?format=csv")
    return metadata(url, "Evidence: case studies", columns, case_study)


def gap_map_metadata(base: str, rows: str, cols: str, table: str | None = None) -> dict[str, Any]:
    """The gap map's CSV (GET /evidence/gap-map?format=csv, or `table`, the path and query of
    the CSV asked for) by `rows` and `cols`."""
    header = gap_map_header(rows, cols)
    columns = [_gap_column(base, name, rows, cols) for name in header]
    url = base + (table or f"/evidence/gap-map?rows={rows}&cols={cols}&format=csv")
    return metadata(url, f"Evidence-and-gap map by {rows} and {cols}", columns, None)


def _gap_column(base: str, name: str, rows: str, cols: str) -> Column:
    if name in (rows, cols):
        kind = _KIND_OF.get(name)
        if name == "direction":
            return Column(name, "The direction (a concept code).", value_url=f"{CG._NS}{{{name}}}")
        if kind is None:
            return Column(name, f"The {name}; empty where not stated.", "integer")
        iri = f"{base}/id/{kind.slug}/{{{name}}}"
        return Column(name, f"The {name}'s id; empty where not stated.", value_url=iri)
    counts = {
        f"strength_{s}": f"Case studies at strength {s} ({n})." for s, n in STRENGTH_NAMES.items()
    }
    counts |= {f"direction_{d}": f"Case studies: {w}." for d, w in DIRECTION_WORDS.items()}
    counts["case_studies"] = "How many case studies; 0 is a gap."
    if name in counts:
        return Column(name, counts[name], "integer")
    if name == "strongest_case_study":
        iri = f"{base}/id/{Kind.CASE_STUDY.slug}/{{strongest_case_study}}"
        return Column(name, "The case study with the best strength.", value_url=iri)
    if name in ("strongest_strength", "best_strength"):
        return Column(name, "The strongest evidence in the cell, 1-5; empty if none.", "integer")
    return Column(name, "The name of the value in the column before.")
