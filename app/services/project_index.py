"""Immutable in-memory indexes of one upstream's directory: projects searchable by the start of any word,
and people by id, e-mail and role."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import islice
from operator import and_, itemgetter
from typing import Any, NamedTuple

from app.domain.directory import DirectoryPerson, DirectoryProject, project_label, query_words, search_words
from app.domain.upstreams import Upstream

_FIELDS = tuple(name for name in DirectoryProject.model_fields if name != "upstream")
_KEY = itemgetter(*(_FIELDS.index(name) for name in ("archived", "name", "job_order", "upstream_id")))
_ORDER = itemgetter(0, 1, 2)
_CHOICE = itemgetter(*(_FIELDS.index(name) for name in ("upstream_id", "name", "job_order", "archived")))
# A prefix found in at least 1/DENSE_SHARE of an index's projects (and in at least DENSE_MIN) also keeps a
# bit set, so that a query of common words intersects bit sets instead of scanning thousands of texts.
DENSE_SHARE = 32
DENSE_MIN = 512


class ProjectChoice(NamedTuple):
    """What a project picker shows of a project: its id, its label ("Harbor Tower (HT-1)"), and whether it
    is archived."""

    upstream_id: str
    label: str
    archived: bool


def _choice(row: tuple[Any, ...]) -> ProjectChoice:
    upstream_id, name, job_order, archived = _CHOICE(row)
    return ProjectChoice(upstream_id, project_label(name, job_order), archived)


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
    stops tracking) and made a `DirectoryProject` again only when it is an answer; `choices` keeps what a
    picker shows of it, so that an option load builds no model at all. `version` is the
    upstream's directory content version as read before the projects were.
    """

    upstream: Upstream
    version: int | None
    rows: tuple[tuple[Any, ...], ...]
    texts: tuple[str, ...]
    postings: Mapping[str, array[int]]
    masks: Mapping[str, int]
    ranks: Mapping[str, int]  # upstream id -> rank
    choices: tuple[ProjectChoice, ...]

    @classmethod
    def build(
        cls, upstream: Upstream, projects: Iterable[DirectoryProject], version: int | None = None
    ) -> ProjectIndex:
        """The index of `upstream`'s `projects` (each upstream id once)."""
        return cls.from_rows(upstream, map(project_row, projects), version)

    @classmethod
    def from_rows(
        cls, upstream: Upstream, rows: Iterable[tuple[Any, ...]], version: int | None = None
    ) -> ProjectIndex:
        """The index of `upstream`'s projects given as `project_row` makes them (each upstream id once)."""
        keyed = sorted(map(_keyed, rows), key=_ORDER)
        texts = tuple(k[1] for k in keyed)
        postings = _prefix_postings(texts)
        dense_from = max(DENSE_MIN, len(texts) // DENSE_SHARE)
        masks = {p: _mask(ranks, len(texts)) for p, ranks in postings.items() if len(ranks) >= dense_from}
        ranks = {k[2]: rank for rank, k in enumerate(keyed)}
        rows = tuple(k[3] for k in keyed)
        return cls(upstream, version, rows, texts, postings, masks, ranks, tuple(map(_choice, rows)))

    def project(self, upstream_id: str) -> DirectoryProject | None:
        rank = self.ranks.get(upstream_id)
        return self._project(rank) if rank is not None else None

    def __len__(self) -> int:
        return len(self.rows)

    def search(self, query: str, limit: int) -> list[DirectoryProject]:
        """At most `limit` projects matching every word of `query`, in answer order; the first `limit`
        of all of them when the query has no words."""
        return [self._project(rank) for rank in self._ranks(query, limit)] if limit > 0 else []

    def choices_for(self, query: str, limit: int) -> list[ProjectChoice]:
        """What a picker shows of the projects `search` answers."""
        return [self.choices[rank] for rank in self._ranks(query, limit)] if limit > 0 else []

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


def project_row(project: DirectoryProject) -> tuple[Any, ...]:
    """How a `ProjectIndex` keeps a project: its field values but the upstream, as a plain tuple."""
    return tuple(getattr(project, f) for f in _FIELDS)


def _keyed(row: tuple[Any, ...]) -> tuple[bool, str, str, tuple[Any, ...]]:
    """A project's row behind what orders the answers: archived, search text, upstream id."""
    archived, name, job_order, upstream_id = _KEY(row)
    return archived, search_words(name, job_order), upstream_id, row


def _prefix_postings(texts: Sequence[str]) -> dict[str, array[int]]:
    """Each prefix of each word of `texts` -> the positions of the texts having a word that starts so,
    ascending. A prefix of one word only shares that word's array.

    Positions are gathered in arrays, and the words of a prefix found as a run of the sorted words, so
    that the work leaves few objects for the garbage collector to follow (its full passes stop every
    thread, the event loop's included)."""
    word_ranks: dict[str, array[int]] = {}
    for rank, text in enumerate(texts):
        for word in set(text.split()):
            found = word_ranks.get(word)
            if found is None:
                word_ranks[word] = found = array("I")
            found.append(rank)
    words = sorted(word_ranks)
    postings: dict[str, array[int]] = {}
    for first, word in enumerate(words):
        for end in range(1, len(word) + 1):
            prefix = word[:end]
            if prefix in postings:  # met at an earlier word: the first of its run
                continue
            last = first + 1
            while last < len(words) and words[last].startswith(prefix):
                last += 1
            postings[prefix] = (
                word_ranks[word]
                if last == first + 1
                else array("I", sorted(set().union(*(word_ranks[w] for w in words[first:last]))))
            )
    return postings


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
