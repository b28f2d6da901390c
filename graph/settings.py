"""Connection settings for the graph, read from the environment (prefix ``CONNECTS_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDED_DATABASE = "connects"


class GraphSettings(BaseSettings):
    """Where the graph lives and how long we wait for it.

    Leave ``uri`` unset to use the embedded engine, which the project starts itself.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTS_", extra="ignore")

    uri: str | None = Field(
        default=None,
        description="Bolt URI of a Neo4j 5 server (bolt:// or neo4j://). Unset: embedded engine.",
    )
    user: str = Field(default="neo4j", description="User for an external server.")
    password: SecretStr | None = Field(default=None, description="Password for an external server.")
    reader_user: str | None = Field(
        default=None,
        description=(
            "Neo4j user researchers' Cypher runs as: one that may only read published data "
            "(see graph/researcher.py for its GRANT and DENY). Not the admin user."
        ),
    )
    reader_password: SecretStr | None = Field(
        default=None, description="Password of CONNECTS_READER_USER."
    )
    database: str | None = Field(
        default=None,
        description="Database name. Unset: `connects` on the embedded engine; on an external "
        "server, the user's home database (Neo4j Community and Aura have only `neo4j`).",
    )
    data_dir: Path = Field(
        default=Path(".connects"),
        description="Directory of the embedded engine: its databases, password, pid and log.",
    )
    bolt_port: int = Field(default=7688, ge=1, le=65535, description="Embedded engine Bolt port.")
    http_port: int = Field(default=2481, ge=1, le=65535, description="Embedded engine HTTP port.")
    engine_heap: str = Field(default="1g", description="Embedded engine JVM heap (-Xmx).")
    query_timeout: float = Field(
        default=15.0, gt=0, description="Seconds a query may run before the server stops it."
    )
    connect_timeout: float = Field(
        default=3.0, gt=0, description="Seconds to wait for a connection to the graph."
    )
    start_timeout: float = Field(
        default=60.0, gt=0, description="Seconds to wait for the embedded engine to start."
    )
    public_base_uri: str = Field(
        default="http://127.0.0.1:8000",
        description="Base of the public URIs minted for nodes in RDF (no trailing slash).",
    )

    @model_validator(mode="after")
    def _embedded_database(self) -> Self:
        # The embedded engine makes the database it is told to; a server has its own home one.
        if self.uri is None and self.database is None:
            self.database = EMBEDDED_DATABASE
        return self

    @property
    def embedded(self) -> bool:
        """True when the project runs its own engine rather than connecting to a server."""
        return self.uri is None


class EvidenceIndexSettings(BaseSettings):
    """The in-process evidence index (graph/evidence_store.py), from ``CONNECTS_EVIDENCE_INDEX_*``.

    Kept apart from `GraphSettings`: only the API process holds an index.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTS_EVIDENCE_INDEX_", extra="ignore")

    max_claims: int = Field(
        default=2_000_000,
        ge=0,
        description=(
            "Most evidence claims the index holds (about 100 bytes each at 100,000 case "
            "studies); a larger graph is answered by the Cypher statements instead. 0: no index."
        ),
    )
    cached_answers: int = Field(
        default=256, ge=0, description="Facet and gap-map answers kept per load."
    )
