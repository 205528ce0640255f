"""Who someone is: a Slack user's e-mail, their person in each upstream, their groups and Wethod role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.domain.links import UserLink
from app.domain.upstreams import Upstream
from app.policy.model import MemberKind, Policy
from app.policy.rules import Actor
from app.services.directory_index import DatabaseDirectory, DirectoryReads
from app.services.ports import Clock, SlackPeople, UnitOfWork, UnitOfWorkFactory

LINK_FRESH_FOR = timedelta(hours=24)
LINK_REMEMBERED_FOR = timedelta(minutes=1)
USERGROUPS_FRESH_FOR = timedelta(minutes=5)


@dataclass
class Identities:
    """Resolves Slack users to Actors, caching links in the database and user groups in memory.

    Lookups go through `reading` when given (read-only transactions, which on SQLite do not queue behind
    writers): they sit on the path of Slack's 3-second ack. A link found is also remembered in this
    process for a minute, checked against the directory each time it is used, so the several looks at one
    person while one request is handled cost one read each; a person not found is not remembered, so one
    added by a directory refresh is found at once.
    """

    uow_factory: UnitOfWorkFactory
    slack: SlackPeople
    policy: Policy
    clock: Clock
    reading: UnitOfWorkFactory | None = None
    lookups: DirectoryReads | None = None
    _groups: dict[str, tuple[datetime, frozenset[str]]] = field(default_factory=dict)
    _links: dict[tuple[str, Upstream], tuple[datetime, str, str]] = field(default_factory=dict)

    def _read(self) -> UnitOfWork:
        return (self.reading or self.uow_factory)()

    def directory(self) -> DirectoryReads:
        """The directory lookups: from memory when the process keeps an index, else the database."""
        return self.lookups or DatabaseDirectory(self.reading or self.uow_factory)

    async def actor(self, slack_user_id: str, upstream: Upstream) -> Actor:
        """The person as the rules see them, with their person id in `upstream` when there is one."""
        email, person_id = await self.link(slack_user_id, upstream)
        wethod_role = None
        if email is not None:
            wethod_person = await self.directory().person_by_email(Upstream.WETHOD, email)
            wethod_role = wethod_person.role if wethod_person else None
        return Actor(
            slack_user_id=slack_user_id,
            email=email,
            usergroups=await self._usergroups_of(slack_user_id),
            wethod_role=wethod_role,
            upstream_person_id=person_id,
        )

    async def link(self, slack_user_id: str, upstream: Upstream) -> tuple[str | None, str | None]:
        """(e-mail, upstream person id): from the cached link while it still matches, else found again."""
        now = self.clock()
        remembered = self._links.get((slack_user_id, upstream))
        if remembered is not None and now - remembered[0] < LINK_REMEMBERED_FOR:
            _, known_email, known_id = remembered
            (person,) = await self.directory().people(upstream, [known_id]) or (None,)
            if person is not None and person.email == known_email:
                return known_email, known_id
        email, person_id = await self._link(slack_user_id, upstream, now)
        if email is not None and person_id is not None:
            self._links[(slack_user_id, upstream)] = (now, email, person_id)
        else:
            self._links.pop((slack_user_id, upstream), None)
        return email, person_id

    async def _link(
        self, slack_user_id: str, upstream: Upstream, now: datetime
    ) -> tuple[str | None, str | None]:
        async with self._read() as uow:
            link = await uow.links.get(slack_user_id, upstream)
        if link is not None and now - link.refreshed_at < LINK_FRESH_FOR:
            (person,) = await self.directory().people(upstream, [link.upstream_person_id]) or (None,)
            if person is not None and person.email == link.email:
                return link.email, link.upstream_person_id
        email = await self.slack.email_of(slack_user_id)
        if email is None:
            return None, None
        email = email.strip().lower()
        found = await self.directory().person_by_email(upstream, email)
        if found is None and link is None:
            return email, None  # no person, and no link to forget
        async with self.uow_factory() as uow:
            person = found
            if person is None:
                await uow.links.delete(slack_user_id, upstream)
            else:
                await uow.links.save(
                    UserLink(
                        slack_user_id=slack_user_id,
                        upstream=upstream,
                        upstream_person_id=person.upstream_id,
                        email=email,
                        refreshed_at=now,
                    )
                )
            await uow.commit()
        return email, person.upstream_id if person else None

    async def _usergroups_of(self, slack_user_id: str) -> frozenset[str]:
        handles = {
            member.value
            for members in [*self.policy.members.values(), self.policy.approvals.fallback]
            for member in members
            if member.kind is MemberKind.USERGROUP
        }
        return frozenset([h for h in sorted(handles) if slack_user_id in await self.usergroup_members(h)])

    async def usergroup_members(self, handle: str) -> frozenset[str]:
        now = self.clock()
        cached = self._groups.get(handle)
        if cached is not None and now - cached[0] < USERGROUPS_FRESH_FOR:
            return cached[1]
        members = await self.slack.usergroup_members(handle)
        self._groups[handle] = (now, members)
        return members
