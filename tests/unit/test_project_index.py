"""The in-memory project index: the database search's matches, order and limit, whatever the accents,
case and commonness of the words."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from app.domain.directory import DirectoryProject, query_words, search_words
from app.domain.upstreams import Upstream
from app.services.project_index import DENSE_MIN, ProjectChoice, ProjectIndex

W = Upstream.WETHOD
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def project(
    pid: str, name: str, *, job_order: str | None = None, archived: bool = False, upstream: Upstream = W
) -> DirectoryProject:
    return DirectoryProject(
        upstream=upstream, upstream_id=pid, name=name, job_order=job_order, archived=archived, updated_at=T0
    )


PROJECTS = [
    project("10", "Apollo Website", job_order="JO-2026-0001"),
    project("11", "Équinoxe Brand Refresh", job_order="JO-2025-0005"),
    project("12", "Apollo Archive", job_order="JO-2019-0042", archived=True),
    project("13", "Zenith Migration"),
    project("14", "São Paulo Øresund Ärzte", job_order="ÆON-7"),
]


def names(found: list[DirectoryProject]) -> list[str]:
    return [p.name for p in found]


def as_the_database_answers(
    projects: list[DirectoryProject], query: str, limit: int
) -> list[DirectoryProject]:
    """The SQL search written out: `search_text LIKE '% word%'` for every word, archived last, then
    search text, then upstream id."""
    needles = [f" {word}" for word in query_words(query)]
    texts = {p.upstream_id: search_words(p.name, p.job_order) for p in projects}
    found = [p for p in projects if all(n in texts[p.upstream_id] for n in needles)]
    return sorted(found, key=lambda p: (p.archived, texts[p.upstream_id], p.upstream_id))[:limit]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apo", ["Apollo Website", "Apollo Archive"]),
        ("APOLLO web", ["Apollo Website"]),
        ("apollo web archive", []),
        ("equinoxe", ["Équinoxe Brand Refresh"]),
        ("ÉQUI", ["Équinoxe Brand Refresh"]),
        ("jo-2026", ["Apollo Website"]),
        ("0042", ["Apollo Archive"]),
        ("site", []),
        ("pollo", []),
        ("sao arz", ["São Paulo Øresund Ärzte"]),
        ("on 7", ["São Paulo Øresund Ärzte"]),  # Æ and Ø have no accent to drop: they split words
        ("resund", ["São Paulo Øresund Ärzte"]),
        ("oresund", []),
    ],
)
def test_a_project_is_found_by_the_start_of_every_word_whatever_its_accents_or_case(
    query: str, expected: list[str]
) -> None:
    index = ProjectIndex.build(W, PROJECTS)
    assert names(index.search(query, 50)) == expected
    assert index.search(query, 50) == as_the_database_answers(PROJECTS, query, 50)
    shown = [ProjectChoice(p.upstream_id, p.label, p.archived) for p in index.search(query, 50)]
    assert index.choices_for(query, 50) == shown  # what a picker shows, with no model built


@pytest.mark.parametrize("query", ["", "%", "_ %", "  "])
def test_a_query_without_words_lists_everything_archived_last(query: str) -> None:
    found = ProjectIndex.build(W, PROJECTS).search(query, 50)
    assert names(found) == [
        "Apollo Website",
        "Équinoxe Brand Refresh",
        "São Paulo Øresund Ärzte",
        "Zenith Migration",
        "Apollo Archive",
    ]


def test_answers_come_archived_last_then_by_search_text_then_by_upstream_id() -> None:
    projects = [
        project("0", "Alpha Delta", archived=True),
        project("c", "delta"),
        project("a", "Delta Zulu"),
        project("b", "DELTA"),
        project("a2", "Alpha Delta"),
    ]
    found = ProjectIndex.build(W, projects).search("del", 50)
    assert [p.upstream_id for p in found] == ["a2", "b", "c", "a", "0"]
    assert found == as_the_database_answers(projects, "del", 50)


def test_an_answer_is_the_project_as_it_was_indexed() -> None:
    full = DirectoryProject(
        upstream=W,
        upstream_id="77",
        name="Orion Data Platform",
        job_order="JO-2026-0077",
        pm_id="13",
        account_id="14",
        manager_ids=("13", "15"),
        archived=False,
        whitelist_enabled=True,
        updated_at=T0,
    )
    (found,) = ProjectIndex.build(W, [full]).search("orion", 50)
    assert found == full
    assert found.label == "Orion Data Platform (JO-2026-0077)"


@pytest.mark.parametrize("limit", [0, 1, 7, 50])
def test_no_more_than_the_limit_is_answered(limit: int) -> None:
    projects = [project(str(i), f"Project {i:03d}") for i in range(120)]
    index = ProjectIndex.build(W, projects)
    for query in ("project", "pro 0", ""):
        assert index.search(query, limit) == as_the_database_answers(projects, query, limit)
        assert len(index.search(query, limit)) == limit


def test_common_and_rare_words_together_answer_as_the_database_does() -> None:
    rng = random.Random(15)
    vocabulary = ["apollo", "apex", "borealis", "cascade", "delta", "website", "mobile", "app", "erp", "2026"]
    projects = [
        project(
            str(i),
            " ".join(rng.sample(vocabulary, rng.randint(1, 4))) + f" {rng.randint(1, 400)}",
            job_order=f"JO-{rng.choice([2024, 2025, 2026])}-{i:04d}",
            archived=rng.random() < 0.2,
        )
        for i in range(4 * DENSE_MIN)
    ]
    index = ProjectIndex.build(W, projects)
    assert index.masks, "some words are common enough to be kept as bit sets"
    queries = ["a", "ap web", "apollo 2026 mo", "jo 2025 1", "d e", "cascade 39", "2 3", "zz", "erp 0"]
    queries += [" ".join(rng.choice(vocabulary)[: rng.randint(1, 4)] for _ in range(3)) for _ in range(40)]
    for query in queries:
        for limit in (1, 50, len(projects)):
            assert index.search(query, limit) == as_the_database_answers(projects, query, limit), query


def test_an_index_holds_one_upstreams_projects() -> None:
    found = ProjectIndex.build(Upstream.PROCORE, [project("1", "Harbor Tower", upstream=Upstream.PROCORE)])
    assert [p.upstream for p in found.search("harbor", 5)] == [Upstream.PROCORE]
