"""API settings: the graph's, plus what the HTTP layer needs."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from graph.settings import GraphSettings

_PLACEHOLDER_PASSWORDS = frozenset({"", "neo4j", "password", "changeme", "changethis", "secret"})


class ApiSettings(GraphSettings):
    """Everything `create_app()` needs, from ``CONNECTS_*`` environment variables."""

    environment: Literal["development", "production"] = Field(
        default="development", description="'production' refuses placeholder secrets."
    )
    max_page_size: int = Field(default=200, ge=1, le=10_000, description="Upper bound of limit.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (JSON list); none by default.",
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Requests a minute per API key or client address; 0: off."
    )
    rate_limit_burst: int = Field(default=60, ge=1, description="Requests allowed in a burst.")
    cypher_row_cap: int = Field(
        default=1000, ge=1, le=100_000, description="Most rows researchers' Cypher returns."
    )
    cypher_max_response_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Most bytes of rows researchers' Cypher returns (measured as JSON).",
    )
    cypher_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "Researchers' Cypher statements run at once; more are refused with 503. Keep it "
            "below what the engine serves at once (4 for the embedded engine on 2 cores)."
        ),
    )
    max_upload_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, description="Largest contribution body accepted."
    )
    body_read_timeout: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Seconds a request body may take to arrive (from its first read); 408 past.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            "Addresses of reverse proxies whose X-Forwarded-For is believed (JSON list); none by "
            "default, so a client's address is the socket's peer."
        ),
    )
    export_concurrency: int = Field(
        default=2, ge=1, le=64, description="Exports streamed at once; 503 for one more."
    )
    submission_max_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=10 * 1024 * 1024,
        description="Largest submission or report of an error accepted (bytes).",
    )
    submission_rate_per_minute: int = Field(
        default=6,
        ge=0,
        description="Submissions and reports of errors a minute per client address; 0: off.",
    )
    submission_rate_burst: int = Field(
        default=3, ge=1, description="Submissions and reports allowed in a burst."
    )
    max_literal_chars: int = Field(
        default=100_000, ge=1, description="Longest literal (characters) a contribution may hold."
    )
    max_neighbourhood_nodes: int = Field(
        default=300, ge=1, le=10_000, description="Most nodes a neighbourhood returns."
    )

    sparql_timeout: float = Field(
        default=10.0, gt=0, le=300, description="Seconds a SPARQL query may run."
    )
    sparql_result_cap: int = Field(
        default=10_000, ge=1, le=1_000_000, description="Most results a SPARQL query returns."
    )
    sparql_max_query_bytes: int = Field(
        default=32_768, ge=256, le=1_048_576, description="Longest SPARQL query (or POST body)."
    )
    sparql_refresh_interval: float = Field(
        default=0.0,
        ge=0,
        le=3600,
        description="Seconds between checks for a new load; 0: before every query.",
    )
    sparql_memory_mb: int = Field(
        default=512, ge=16, le=65_536, description="Memory one SPARQL query may use (MB)."
    )
    sparql_concurrency: int = Field(
        default=2, ge=1, le=64, description="SPARQL queries evaluated at once."
    )

    @model_validator(mode="after")
    def _enforce_non_default_secrets(self) -> ApiSettings:
        if self.environment == "production" and self.uri is not None:
            password = self.password.get_secret_value() if self.password else ""
            if password.lower() in _PLACEHOLDER_PASSWORDS:
                raise ValueError("CONNECTS_PASSWORD is unset or a placeholder; set a real one.")
        if self.uri is not None and self.reader_user is not None:
            if self.reader_user == self.user:
                raise ValueError(
                    "CONNECTS_READER_USER must not be CONNECTS_USER: researchers' Cypher must "
                    "not run as the admin user."
                )
            if self.reader_password is None:
                raise ValueError("CONNECTS_READER_PASSWORD must be set with CONNECTS_READER_USER.")
        return self

    @model_validator(mode="after")
    def _enforce_public_base_uri(self) -> ApiSettings:
        # RDF names every node under this base: a loopback one would publish unusable names.
        if self.environment == "production" and _is_loopback(self.public_base_uri):
            raise ValueError(
                f"CONNECTS_PUBLIC_BASE_URI is {self.public_base_uri!r}, a local address; in "
                "production set it to the address the public reaches the service at."
            )
        return self


def _is_loopback(uri: str) -> bool:
    host = (urlsplit(uri).hostname or "").lower()
    if host in {"", "localhost"} or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
