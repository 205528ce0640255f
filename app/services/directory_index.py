"""Project search from memory: an immutable word-prefix index of each upstream's projects, swapped whole."""

from __future__ import annotations

import asyncio
import logging
import time
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from itertools import islice
from operator import and_, itemgetter
from types import MappingProxyType
from typing import Any, Protocol

from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState, query_words, search_words
from app.domain.upstreams import Upstream
from app.services.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

_FIELDS = tuple(name for name in DirectoryProject.model_fields if name != "upstream")
_ORDER = itemgetter(0, 1, 2)
# A prefix found in at least 1/DENSE_SHARE of an index's projects (and in at least DENSE_MIN) also keeps a
# bit set, so that a query of common words intersects bit sets instead of scanning thousands of texts.
DENSE_SHARE = 32
DENSE_MIN = 512


@dataclass(frozen=True, slots=True)
class ProjectIndex:
    """One upstream's projects, searchable by the start of any word; never changed once built.

    It answers as the database search does: a project matches when every word of the query (`query_words`)
    is the start of some word of its `search_words(name, job_order)`, so accents and case are folded the
    same way. Answers come unarchived first, then by that search text, then by upstream id, compared as
    Python strings: code-point order, which is SQLite's (BINARY) order for these ASCII texts. A PostgreSQL
    database with a language collation may order the same rows differently; the index keeps one order on
    every database.

    Each project is kept as a tuple of its field values (`rows`: plain values, which the garbage collector
    stops tracking) and made a `DirectoryProject` again only when it is an answer. `version` is the
    `last_run_at` of the upstream's sync-state row as read before the projects were.
    """

    upstream: Upstream
    version: datetime | None
    rows: tuple[tuple[Any, ...], ...]
    texts: tuple[str, ...]
    postings: Mapping[str, array[int]]
    masks: Mapping[str, int]
    ranks: Mapping[str, int]  # upstream id -> rank

    @classmethod
    def build(
        cls, upstream: Upstream, projects: Iterable[DirectoryProject], version: datetime | None = None
    ) -> ProjectIndex:
        """The index of `upstream`'s `projects` (each upstream id once)."""
        keyed = sorted(
            (
                (
                    p.archived,
                    search_words(p.name, p.job_order),
                    p.upstream_id,
                    tuple(getattr(p, f) for f in _FIELDS),
                )
                for p in projects
            ),
            key=_ORDER,
        )
        texts = tuple(k[1] for k in keyed)
        postings = _prefix_postings(texts)
        dense_from = max(DENSE_MIN, len(texts) // DENSE_SHARE)
        masks = {p: _mask(ranks, len(texts)) for p, ranks in postings.items() if len(ranks) >= dense_from}
        ranks = {k[2]: rank for rank, k in enumerate(keyed)}
        return cls(upstream, version, tuple(k[3] for k in keyed), texts, postings, masks, ranks)

    def project(self, upstream_id: str) -> DirectoryProject | None:
        rank = self.ranks.get(upstream_id)
        return self._project(rank) if rank is not None else None

    def __len__(self) -> int:
        return len(self.rows)

    def search(self, query: str, limit: int) -> list[DirectoryProject]:
        """At most `limit` projects matching every word of `query`, in answer order; the first `limit`
        of all of them when the query has no words."""
        return [self._project(rank) for rank in self._ranks(query, limit)] if limit > 0 else []

    def _ranks(self, query: str, limit: int) -> Iterable[int]:
        words = set(query_words(query))
        if not words:
            return range(min(limit, len(self.rows)))
        candidates: list[tuple[int, str, array[int]]] = []
        for word in words:
            ranks = self.postings.get(word)
            if ranks is None:
                return ()
            candidates.append((len(ranks), word, ranks))
        candidates.sort(key=itemgetter(0))
        shortest = candidates[0][2]
        if len(candidates) == 1:
            return islice(shortest, limit)
        if candidates[0][1] in self.masks:  # every word is common: intersect their bit sets
            return _lowest_bits(reduce(and_, (self.masks[word] for _, word, _ in candidates)), limit)
        needles = tuple(f" {word}" for _, word, _ in candidates[1:])
        texts = self.texts
        found: list[int] = []
        for rank in shortest:
            text = texts[rank]
            if all(needle in text for needle in needles):
                found.append(rank)
                if len(found) == limit:
                    break
        return found

    def _project(self, rank: int) -> DirectoryProject:
        # Rows were valid projects when indexed, so answers are built without checking them again.
        return DirectoryProject.model_construct(
            upstream=self.upstream, **dict(zip(_FIELDS, self.rows[rank], strict=True))
        )


@dataclass(frozen=True, slots=True)
class PeopleIndex:
    """One upstream's people by id, by e-mail and by role (folded to lower case, archived people left out,
    as the database lookups do); never changed once built."""

    by_id: Mapping[str, DirectoryPerson]
    by_email: Mapping[str, DirectoryPerson]
    by_role: Mapping[str, tuple[DirectoryPerson, ...]]

    @classmethod
    def build(cls, people: Iterable[DirectoryPerson]) -> PeopleIndex:
        listed = sorted(people, key=lambda p: p.upstream_id)
        roles: dict[str, list[DirectoryPerson]] = {}
        for person in listed:
            if person.role and not person.archived:
                roles.setdefault(person.role.strip().lower(), []).append(person)
        return cls(
            {p.upstream_id: p for p in listed},
            {p.email.lower(): p for p in listed if p.email},
            {role: tuple(found) for role, found in roles.items()},
        )


class DirectoryReads(Protocol):
    """The directory lookups on the path of a request: a project, people by id, e-mail or role."""

    async def project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None: ...

    async def people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]: ...

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None: ...

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]: ...


class DatabaseDirectory:
    """The directory lookups read from the database each time."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None:
        async with self._uow_factory() as uow:
            return await uow.directory.get_project(upstream, upstream_id)

    async def people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]:
        async with self._uow_factory() as uow:
            return await uow.directory.get_people(upstream, upstream_ids)

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None:
        async with self._uow_factory() as uow:
            return await uow.directory.person_by_email(upstream, email)

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]:
        async with self._uow_factory() as uow:
            return await uow.directory.people_with_role(upstream, role)


def _prefix_postings(texts: Sequence[str]) -> dict[str, array[int]]:
    """Each prefix of each word of `texts` -> the positions of the texts having a word that starts so,
    ascending. A prefix of one word only shares that word's array."""
    by_word: dict[str, list[int]] = {}
    for rank, text in enumerate(texts):
        for word in set(text.split()):
            by_word.setdefault(word, []).append(rank)
    word_ranks = {word: array("I", ranks) for word, ranks in by_word.items()}
    words_of: dict[str, list[str]] = {}
    for word in word_ranks:
        for end in range(1, len(word) + 1):
            words_of.setdefault(word[:end], []).append(word)
    return {
        prefix: word_ranks[words[0]]
        if len(words) == 1
        else array("I", sorted(set().union(*(word_ranks[w] for w in words))))
        for prefix, words in words_of.items()
    }


def _mask(ranks: Iterable[int], size: int) -> int:
    """The bit set of `ranks`: bit r is set for each r."""
    bits = bytearray((size + 7) // 8)
    for rank in ranks:
        bits[rank >> 3] |= 1 << (rank & 7)
    return int.from_bytes(bits, "little")


def _lowest_bits(mask: int, limit: int) -> list[int]:
    """The positions of the lowest `limit` bits set in `mask`, ascending."""
    digits = format(mask, "b")  # the highest bit first
    top = len(digits) - 1
    found: list[int] = []
    end = len(digits) if mask else 0
    while len(found) < limit:
        end = digits.rfind("1", 0, end)
        if end < 0:
            break
        found.append(top - end)
    return found


def _version(state: SyncState | None) -> datetime | None:
    return state.last_run_at if state is not None else None


class DirectoryIndex:
    """This process's project search: one `ProjectIndex` per upstream, read by option loads without any
    database session, and replaced whole (one reference) when rebuilt.

    The database stays the source of truth. An upstream's index is rebuilt from it after a refresh in this
    process (`reload`, called by `refresh_directory`), and, for refreshes by other processes on the same
    database, by `catch_up`, which rebuilds every upstream whose sync-state row records a `last_run_at`
    other than the one its index was built under (and, the first time, every upstream). Between a refresh
    elsewhere and the next `catch_up` here, searches answer from the index as it was.
    """

    def __init__(
        self, uow_factory: UnitOfWorkFactory, upstreams: Iterable[Upstream] = tuple(Upstream)
    ) -> None:
        self._uow_factory = uow_factory
        self._upstreams = tuple(upstreams)
        self._built: Mapping[Upstream, ProjectIndex] = MappingProxyType({})
        self._people: Mapping[Upstream, PeopleIndex] = MappingProxyType({})
        self._rebuilding = asyncio.Lock()
        self._database = DatabaseDirectory(uow_factory)

    # The lookups answer from memory, and ask the database only for what the index does not hold (not
    # built yet, or a refresh elsewhere not caught up yet), so that nothing known is ever missed.

    async def project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None:
        built = self._built.get(upstream)
        found = built.project(upstream_id) if built is not None else None
        return found or await self._database.project(upstream, upstream_id)

    async def people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]:
        known = self._people.get(upstream)
        if known is not None and all(i in known.by_id for i in upstream_ids):
            return [known.by_id[i] for i in dict.fromkeys(upstream_ids)]
        return await self._database.people(upstream, upstream_ids)

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None:
        known = self._people.get(upstream)
        found = known.by_email.get(email.strip().lower()) if known is not None else None
        return found or await self._database.person_by_email(upstream, email)

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]:
        known = self._people.get(upstream)
        found = list(known.by_role.get(role.strip().lower(), ())) if known is not None else []
        return found or await self._database.people_with_role(upstream, role)

    def search_projects(self, upstream: Upstream, query: str, *, limit: int = 50) -> list[DirectoryProject]:
        """What the database search would answer, from the index as last built; nothing before the first
        build."""
        built = self._built.get(upstream)
        return built.search(query, limit) if built is not None else []

    def built(self, upstream: Upstream) -> ProjectIndex | None:
        """The index that option loads read now for `upstream`, if any."""
        return self._built.get(upstream)

    async def catch_up(self) -> tuple[Upstream, ...]:
        """Rebuild the upstreams refreshed since their index was built, or never built; returns them. When
        nothing changed this costs one read of the sync-state rows. An upstream that a rebuild running
        meanwhile has brought to the version read is not built again."""
        async with self._uow_factory() as uow:
            versions = {u: _version(await uow.directory.sync_state(u)) for u in self._upstreams}
        rebuilt: list[Upstream] = []
        for upstream in self._upstreams:
            async with self._rebuilding:
                built = self._built.get(upstream)
                if built is not None and built.version == versions[upstream]:
                    continue
                await self._rebuild(upstream)
            rebuilt.append(upstream)
        return tuple(rebuilt)

    async def reload(self, upstream: Upstream) -> None:
        """Build `upstream`'s index from the database and swap it in, after any rebuild under way."""
        async with self._rebuilding:
            await self._rebuild(upstream)

    async def _rebuild(self, upstream: Upstream) -> None:
        """The sync-state row is read before the projects, so a refresh committed in between leaves an
        older version on newer projects, which the next `catch_up` builds again, rather than the reverse.
        The index is built in a worker thread, off the event loop; reading the projects is not."""
        started = time.perf_counter()
        async with self._uow_factory() as uow:
            version = _version(await uow.directory.sync_state(upstream))
            projects = await uow.directory.all_projects(upstream)
            people = await uow.directory.all_people(upstream)
        read = time.perf_counter()
        index = await asyncio.to_thread(ProjectIndex.build, upstream, projects, version)
        known = await asyncio.to_thread(PeopleIndex.build, people)
        self._built = MappingProxyType({**self._built, upstream: index})
        self._people = MappingProxyType({**self._people, upstream: known})
        log.info(
            "project index of %s: %d projects, read in %.2f s, built in %.2f s",
            upstream.label,
            len(index),
            read - started,
            time.perf_counter() - read,
        )
