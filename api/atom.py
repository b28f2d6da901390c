"""The Atom 1.0 feed of changes (RFC 4287), built with ElementTree so every value is escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from graph.history import Changes
from graph.model import Kind

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def _rfc3339(at: str | None) -> str:
    when = datetime.fromisoformat(at) if at else datetime.now(UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def feed(changes: Changes, *, base: str, self_path: str, title: str) -> bytes:
    """The changes as an Atom feed: one entry per version, newest first.

    An entry's id is the version's own (node and load), so it is the same every time the
    feed is read; its link is the node's page.
    """
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _el(root, "id", f"{base}{self_path}")
    _el(root, "title", title)
    latest = changes.items[0].at if changes.items else changes.until.at
    _el(root, "updated", _rfc3339(latest))
    _el(_el(root, "author"), "name", "Connects Graph")
    _el(root, "link", rel="self", href=f"{base}{self_path}", type=MEDIA_TYPE)
    for change in changes.items:
        entry = _el(root, "entry")
        _el(entry, "id", f"{base}/changes/{change.provenance.load}/{change.node}")
        _el(entry, "title", f"{change.name} {change.change}")
        _el(entry, "updated", _rfc3339(change.at))
        kind = Kind(change.kind) if change.kind else None
        if kind is not None:
            _el(entry, "link", rel="alternate", href=f"{base}/doc/{kind.slug}/{change.node}")
        who = change.provenance.contributor or change.provenance.agent or "Connects Graph"
        _el(_el(entry, "author"), "name", who)
        files = ", ".join(change.provenance.files)
        summary = f"{change.kind or 'Node'} {change.node} {change.change} by load "
        summary += change.provenance.load + (f" (from {files})" if files else "") + "."
        _el(entry, "summary", summary)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
