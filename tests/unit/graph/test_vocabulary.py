"""Names as people type them, folded to the keys terms are found by."""

from __future__ import annotations

from graph.vocabulary import normalise, slugify


def test_names_fold_case_spacing_punctuation_and_ampersands() -> None:
    assert normalise("  Health &  Social_Care! ") == "health and social care"
    assert slugify("Redcar & Cleveland Council") == "redcar-and-cleveland-council"


def test_a_name_seen_before_is_not_folded_again() -> None:
    """A large file names the same organisations and places on every row (loaders/items.py)."""
    normalise.cache_clear()
    for _ in range(3):
        assert slugify("North Yorkshire Council") == "north-yorkshire-council"
    info = normalise.cache_info()
    assert (info.misses, info.hits) == (1, 2)
