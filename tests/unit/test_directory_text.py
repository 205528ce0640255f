"""Directory search text: case- and accent-insensitive words."""

from __future__ import annotations

import pytest

from app.domain.directory import normalize, query_words, search_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Équinoxe Brand Refresh", "equinoxe brand refresh"),
        ("Niccolò  Müller", "niccolo muller"),
        ("ana.rossi@acme.example", "ana rossi acme example"),
        ("JO-2026-0001", "jo 2026 0001"),
        ("  ", ""),
    ],
)
def test_normalize_drops_case_accents_and_punctuation(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_search_words_index_every_part_with_a_leading_space() -> None:
    assert search_words("Zoë Rizzo", None, "zoe.rizzo@acme.example") == " zoe rizzo zoe rizzo acme example "


def test_query_words_are_normalised_and_bounded() -> None:
    assert query_words("  ZOË  jo-2026 ") == ["zoe", "jo", "2026"]
    assert len(query_words(" ".join(["a"] * 20))) == 8
