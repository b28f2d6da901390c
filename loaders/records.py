"""Strict input models: what a curator may write in a data file, and nothing else."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graph.model import Kind, Rel

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=80),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LinkRecord(_Strict):
    """A relationship stated by the source, from the node it is written under."""

    rel: Annotated[Rel, Field(strict=False, description="Relationship type.")]
    to: Slug = Field(description="Id of the node the relationship points to.")


class NodeRecord(_Strict):
    """One framework node as a curator writes it."""

    id: Slug = Field(description="Stable slug, unique across the whole graph.")
    kind: Annotated[Kind, Field(strict=False, description="What sort of node this is.")]
    name: Name = Field(description="The name, exactly as the source spells it.")
    description: Text = Field(description="What it is, in our own words.")
    source: Name = Field(description="The section of the source document it comes from.")
    notation: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        default=None, description="Its number or position in the source, if it has one."
    )
    alt_names: list[Name] = Field(default_factory=list, description="Abbreviations, other names.")
    links: list[LinkRecord] = Field(default_factory=list)


class FrameworkFile(_Strict):
    """A YAML or JSON file of framework nodes."""

    nodes: list[NodeRecord] = Field(min_length=1)
