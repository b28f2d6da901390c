"""Settings that production refuses, before anything starts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import ApiSettings

SERVER = {"uri": "neo4j://graph.internal:7687", "password": "a-real-password"}


@pytest.mark.parametrize(
    "base",
    [
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "http://127.0.1.1",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "https://api.localhost",
    ],
)
def test_production_refuses_a_local_public_base_uri(base: str) -> None:
    with pytest.raises(ValidationError, match="CONNECTS_PUBLIC_BASE_URI"):
        ApiSettings.model_validate({**SERVER, "environment": "production", "public_base_uri": base})


def test_production_takes_a_public_base_uri_and_development_any() -> None:
    public = {**SERVER, "public_base_uri": "https://graph.example.org"}
    assert ApiSettings.model_validate({**public, "environment": "production"})
    assert ApiSettings.model_validate({"public_base_uri": "http://127.0.0.1:8000"})
