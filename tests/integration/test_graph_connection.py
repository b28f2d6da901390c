"""Connecting to a graph server: what the API says when it cannot."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from api.settings import ApiSettings
from graph.driver import connection


def test_refused_credentials_are_a_503_that_says_so(settings: ApiSettings) -> None:
    uri, (user, _) = connection(settings)
    wrong = settings.model_copy(
        update={"uri": uri, "user": user, "password": SecretStr("not-the-password")}
    )
    with TestClient(create_app(wrong)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/graph-credentials-refused"
    assert "CONNECTS_PASSWORD" in response.json()["detail"]
    assert "Retry-After" not in response.headers  # waiting will not fix a wrong password
