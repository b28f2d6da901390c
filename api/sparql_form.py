"""The small HTML form people see when a browser opens /sparql without a query."""

from __future__ import annotations

from api.pages import render
from ontology.formats import FORMATS, RESULT_FORMATS

EXAMPLE = """PREFIX cg: <https://w3id.org/connects-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?outcome ?name
WHERE { ?outcome a cg:Outcome ; skos:prefLabel ?name }
ORDER BY ?name"""


def form_page(load_id: str | None) -> str:
    """The form: a query, the format to answer in, and what the endpoint is."""
    formats = [(f.name, f.media_type) for f in RESULT_FORMATS]
    formats += [(f.name, f.media_type) for f in FORMATS]
    return render("sparql_form.html", "/sparql", load_id=load_id, example=EXAMPLE, formats=formats)
