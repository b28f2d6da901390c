"""Connecting to a graph server: what the API says when it cannot."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from api.main import create_app
from api.settings import ApiSettings
from cli.main import app as cli
from graph.driver import connection
from tests.helpers import graph_env


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


def test_db_status_says_when_the_server_refuses_the_credentials(settings: ApiSettings) -> None:
    uri, (user, _) = connection(settings)
    env = graph_env(settings) | {
        "CONNECTS_URI": uri,
        "CONNECTS_USER": user,
        "CONNECTS_PASSWORD": "not-the-password",
    }
    refused = CliRunner().invoke(cli, ["db", "status"], env=env)
    assert refused.exit_code == 3
    assert "refused the credentials" in refused.output
    if settings.uri is not None:  # on the embedded engine, the right password is in its files
        assert settings.password is not None
        env["CONNECTS_PASSWORD"] = settings.password.get_secret_value()
        assert CliRunner().invoke(cli, ["db", "status"], env=env).exit_code == 0
