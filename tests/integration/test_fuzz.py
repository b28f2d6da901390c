"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis), bounded.

schemathesis generates requests for every operation from the schema; each response must be
free of server errors and match the schema (status codes, content types, bodies). Driven
through Hypothesis directly: schemathesis's pytest plugin does not support this pytest.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from neo4j import Driver
from schemathesis.checks import positive_data_acceptance
from schemathesis.schemas import BaseSchema

from api.main import create_app
from api.settings import ApiSettings
from tests.helpers import DATA, clear, load

EXAMPLES_PER_OPERATION = 15
OPERATIONS = [
    (path, method.upper())
    for path, methods in create_app(ApiSettings()).openapi()["paths"].items()
    for method in methods
]


@pytest.fixture(scope="module")
def api_schema(settings: ApiSettings, sync_driver: Driver) -> BaseSchema:
    clear(sync_driver, settings)
    load(settings, DATA)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_server_errors_and_responses_match_the_schema(
    api_schema: BaseSchema, path: str, method: str
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        # Filters name things in the graph: a schema-valid string that names nothing is rightly
        # a 422 (listing the valid choices), which no schema can say; every other check runs.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()
