"""The in-memory project index: the database search's matches, order and limit; swapped whole on rebuild."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

import pytest

from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState, query_words, search_words
from app.domain.upstreams import Upstream
from app.services.directory_index import DENSE_MIN, DirectoryIndex, ProjectIndex

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


@dataclass
class FakeDirectory:
    """The directory as stored: projects and sync-state rows per upstream; counts what is read."""

    projects: dict[Upstream, list[DirectoryProject]] = field(default_factory=dict)
    states: dict[Upstream, SyncState] = field(default_factory=dict)
    people: dict[Upstream, list[DirectoryPerson]] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)
    reading: asyncio.Event = field(default_factory=asyncio.Event)  # set once projects are being read
    stamps_read: asyncio.Event = field(default_factory=asyncio.Event)  # set once a sync state is read
    hold: asyncio.Event | None = None  # when given, reading projects waits for it

    async def sync_state(self, upstream: Upstream) -> SyncState | None:
        self.reads.append(f"sync_state {upstream.value}")
        self.stamps_read.set()
        return self.states.get(upstream)

    async def all_projects(self, upstream: Upstream) -> list[DirectoryProject]:
        self.reads.append(f"all_projects {upstream.value}")
        found = list(self.projects.get(upstream, []))
        self.reading.set()
        if self.hold is not None:
            await self.hold.wait()
        return found

    async def all_people(self, upstream: Upstream) -> list[DirectoryPerson]:
        self.reads.append(f"all_people {upstream.value}")
        return list(self.people.get(upstream, []))

    def refreshed(self, upstream: Upstream, projects: list[DirectoryProject], at: datetime) -> None:
        """What a refresh by any process leaves: the projects and a new `last_run_at`."""
        self.projects[upstream] = projects
        self.states[upstream] = SyncState(upstream=upstream, last_run_at=at)


@dataclass
class FakeUnitOfWork:
    directory: FakeDirectory

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


@dataclass
class Sessions:
    """A unit-of-work factory over `directory` that counts the units opened."""

    directory: FakeDirectory
    opened: int = 0

    def __call__(self) -> FakeUnitOfWork:
        self.opened += 1
        return FakeUnitOfWork(self.directory)


@pytest.fixture
def directory() -> FakeDirectory:
    stored = FakeDirectory()
    stored.refreshed(W, PROJECTS, T0)
    return stored


async def test_nothing_is_found_before_the_first_build_and_everything_after(directory: FakeDirectory) -> None:
    index = DirectoryIndex(Sessions(directory), [W, Upstream.PROCORE])  # type: ignore[arg-type]
    assert index.search_projects(W, "apollo") == []
    assert await index.catch_up() == (W, Upstream.PROCORE)
    assert names(index.search_projects(W, "apollo")) == ["Apollo Website", "Apollo Archive"]
    assert index.search_projects(Upstream.PROCORE, "apollo") == []


async def test_searches_open_no_unit_of_work(directory: FakeDirectory) -> None:
    sessions = Sessions(directory)
    index = DirectoryIndex(sessions, [W])  # type: ignore[arg-type]
    await index.catch_up()
    opened = sessions.opened
    assert opened > 0
    for query in ("apo", "zenith", "", "nothing like it"):
        index.search_projects(W, query, limit=50)
    assert sessions.opened == opened


async def test_catch_up_reads_only_the_sync_state_until_a_refresh_is_recorded(
    directory: FakeDirectory,
) -> None:
    index = DirectoryIndex(Sessions(directory), [W])  # type: ignore[arg-type]
    await index.catch_up()
    directory.reads.clear()
    directory.projects[W] = [*PROJECTS, project("20", "Nebula Launch")]  # stored, but no refresh recorded
    assert await index.catch_up() == ()
    assert directory.reads == ["sync_state wethod"]
    assert index.search_projects(W, "nebula") == []
    directory.refreshed(W, directory.projects[W], T0 + timedelta(minutes=5))
    assert await index.catch_up() == (W,)
    assert names(index.search_projects(W, "nebula")) == ["Nebula Launch"]


async def test_a_refresh_recorded_with_an_older_stamp_is_still_caught_up(directory: FakeDirectory) -> None:
    index = DirectoryIndex(Sessions(directory), [W])  # type: ignore[arg-type]
    await index.catch_up()
    directory.refreshed(W, [project("30", "Vega")], T0 - timedelta(hours=1))  # another replica's clock
    assert await index.catch_up() == (W,)
    assert names(index.search_projects(W, "")) == ["Vega"]


async def test_a_rebuild_swaps_the_whole_index_at_once(directory: FakeDirectory) -> None:
    index = DirectoryIndex(Sessions(directory), [W])  # type: ignore[arg-type]
    await index.catch_up()
    before = index.built(W)
    assert before is not None
    directory.refreshed(
        W, [project("40", "Nebula Launch"), project("13", "Zenith Migration")], T0 + timedelta(1)
    )
    directory.hold, directory.reading = asyncio.Event(), asyncio.Event()
    rebuilding = asyncio.create_task(index.reload(W))
    await directory.reading.wait()
    assert names(index.search_projects(W, "")) == names(before.search("", 50))  # the old one, whole
    directory.hold.set()
    await rebuilding
    assert index.built(W) is not before
    assert names(index.search_projects(W, "")) == ["Nebula Launch", "Zenith Migration"]
    assert len(before) == len(PROJECTS)  # a reader still holding the old index sees it unchanged
    assert names(before.search("apo", 50)) == ["Apollo Website", "Apollo Archive"]


async def test_a_catch_up_during_a_rebuild_does_not_build_the_same_refresh_again(
    directory: FakeDirectory,
) -> None:
    index = DirectoryIndex(Sessions(directory), [W])  # type: ignore[arg-type]
    await index.catch_up()
    directory.refreshed(W, [project("50", "Orion Data Platform")], T0 + timedelta(minutes=5))
    directory.hold, directory.reading = asyncio.Event(), asyncio.Event()
    directory.reads.clear()
    rebuilding = asyncio.create_task(index.reload(W))  # this process's refresh, done
    await directory.reading.wait()
    directory.stamps_read = asyncio.Event()
    catching_up = asyncio.create_task(index.catch_up())  # the periodic check, meanwhile
    await directory.stamps_read.wait()
    directory.hold.set()
    await rebuilding
    assert await catching_up == ()
    assert directory.reads.count("all_projects wethod") == 1
    assert names(index.search_projects(W, "orion")) == ["Orion Data Platform"]


async def test_the_lookups_on_a_request_path_answer_from_memory_once_built(directory: FakeDirectory) -> None:
    ana = DirectoryPerson(
        upstream=W, upstream_id="7", name="Ana", email="ana@acme.example", role="Project Manager"
    )
    gone = DirectoryPerson(
        upstream=W,
        upstream_id="8",
        name="Old",
        email="old@acme.example",
        role="project manager",
        archived=True,
    )
    directory.people[W] = [ana, gone]
    sessions = Sessions(directory)
    index = DirectoryIndex(sessions, [W])  # type: ignore[arg-type]
    await index.catch_up()
    opened = sessions.opened
    assert await index.person_by_email(W, " Ana@Acme.example ") == ana
    assert await index.people(W, ["7", "7"]) == [ana]
    assert await index.people_with_role(W, "PROJECT MANAGER") == [ana]  # archived people are left out
    found = await index.project(W, PROJECTS[0].upstream_id)
    assert found is not None
    assert found.name == PROJECTS[0].name
    assert sessions.opened == opened  # no unit of work: the database was not asked
