"""A plain, accessible HTML view of one resource, for people who follow a URI in a browser."""

from __future__ import annotations

from html import escape

from graph.repository import NodeDetail
from ontology.formats import FORMATS

_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b}dt{font-weight:600}dd{margin:0 0 .5rem 0}a{color:#0b57d0}"
    ".kind{color:#555;text-transform:uppercase;letter-spacing:.05em;font-size:.8rem}"
)


def node_page(detail: NodeDetail, doc_path: str, id_path: str) -> str:
    """The HTML page for a node: its properties, its links, and the same data in RDF."""
    props = detail.properties
    name = escape(str(props.get("name", detail.id)))
    facts = "".join(
        f"<dt>{escape(key.replace('_', ' '))}</dt><dd>{_value(value)}</dd>"
        for key, value in sorted(props.items())
        if key not in ("name", "description")
    )
    links = "".join(
        f"<li>{escape(link.type)} {'→' if link.direction == 'out' else '←'} "
        f'<a href="/id/{link.node.kind.slug}/{escape(link.node.id)}">{escape(link.node.name)}</a>'
        f" <span class=kind>{escape(link.node.kind.value)}</span></li>"
        for link in detail.links
    )
    alternates = "".join(
        f'<link rel="alternate" type="{f.media_type}" href="{doc_path}.{f.suffix}">'
        for f in FORMATS
    )
    downloads = " · ".join(f'<a href="{doc_path}.{f.suffix}">{f.name}</a>' for f in FORMATS)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{name} – Connects Graph</title>{alternates}<style>{_STYLE}</style></head>"
        f'<body><main><p class="kind">{escape(detail.kind.value)}</p><h1>{name}</h1>'
        f"<p>{escape(str(props.get('description', '')))}</p>"
        f"<p>URI: <code>{escape(id_path)}</code></p><dl>{facts}</dl>"
        f"<h2>Links ({detail.links_total})</h2><ul>{links}</ul>"
        f"<p>This description as data: {downloads}, "
        f'<a href="{doc_path}.json">JSON</a>.</p></main></body></html>'
    )


def _value(value: object) -> str:
    items = value if isinstance(value, list) else [value]
    parts = []
    for item in items:
        text = escape(str(item))
        parts.append(f'<a href="{text}">{text}</a>' if text.startswith("http") else text)
    return "<br>".join(parts)
