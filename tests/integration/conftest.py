"""Fixtures shared by the integration modules of members' submissions, curation and
corrections (which mark themselves `member_workflow`: see tests/conftest.py)."""

from __future__ import annotations

import pytest

from api.settings import ApiSettings
from graph.keys import Scope
from tests.helpers import make_key


@pytest.fixture(scope="module")
def curator(settings: ApiSettings, everything: object) -> str:
    """A `curate` key's secret, for a curator of socitm."""
    return make_key(settings, Scope.CURATE, organisation="socitm")
