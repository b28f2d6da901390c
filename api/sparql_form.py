"""The small HTML form people see when a browser opens /sparql without a query."""

from __future__ import annotations

from html import escape

from ontology.formats import FORMATS, RESULT_FORMATS

EXAMPLE = """PREFIX cg: <https://w3id.org/connects-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?outcome ?name
WHERE { ?outcome a cg:Outcome ; skos:prefLabel ?name }
ORDER BY ?name"""

_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b}textarea{width:100%;font:14px/1.4 ui-monospace,monospace}"
    "label{display:block;margin:.5rem 0 .25rem;font-weight:600}a{color:#0b57d0}"
)


def form_page(load_id: str | None) -> str:
    """The form: a query, the format to answer in, and what the endpoint is."""
    named = [(f.name, f.media_type) for f in RESULT_FORMATS] + [
        (f.name, f.media_type) for f in FORMATS
    ]
    options = "".join(
        f'<option value="{name}">{name} ({escape(media_type)})</option>'
        for name, media_type in named
    )
    load = escape(load_id) if load_id else "no load yet"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>SPARQL – Connects Graph</title><style>{_STYLE}</style></head><body><main>"
        "<h1>SPARQL endpoint</h1>"
        "<p>Query the published RDF of Connects Graph with SPARQL 1.1 (read-only). "
        f"The data reflects load <code>{load}</code>. "
        'Vocabulary: <a href="/.well-known/void">the VoID description</a>; '
        "worked examples are in the project's <code>docs/sparql.md</code>.</p>"
        '<form method="get" action="/sparql">'
        '<label for="query">Query</label>'
        f'<textarea id="query" name="query" rows="14" required>{escape(EXAMPLE)}</textarea>'
        f'<label for="format">Answer as</label><select id="format" name="format">{options}</select>'
        ' <button type="submit">Run</button></form></main></body></html>'
    )
