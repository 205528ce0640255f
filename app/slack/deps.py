"""What the Slack listeners need, handed over by the composition root."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.upstreams import PEOPLE_UPSTREAMS, Upstream
from app.i18n import t
from app.services.approvers import ApprovalContext
from app.services.ports import AllocationReader, UnitOfWorkFactory
from app.services.summary_runs import SummaryContext
from app.slack.outbox import SlackOutbox


@dataclass(frozen=True)
class SlackDeps:
    """`read_uow_factory` is how listeners read: read-only transactions, which on SQLite never queue
    behind writers, because most reads come before Slack's 3-second ack. Writes go through services."""

    approvals: ApprovalContext
    notifier: SlackOutbox
    enabled: tuple[Upstream, ...]
    missing: dict[Upstream, str]
    read_uow_factory: UnitOfWorkFactory
    summaries: SummaryContext
    allocation_reader: AllocationReader | None = None
    monotonic: Callable[[], float] = time.monotonic  # how long an answer to Slack has taken

    def person_upstreams(self) -> list[Upstream]:
        """The enabled upstreams people can be added to (MissionX, Procore)."""
        return [u for u in PEOPLE_UPSTREAMS if u in self.enabled]

    def not_configured(self, upstream: Upstream) -> str | None:
        """Why `upstream` cannot be used, in words for the user (plain text); None when it can."""
        if upstream in self.enabled:
            return None
        if settings := self.missing.get(upstream):
            return t(
                "{system} is not set up in Staffdesk yet. An administrator needs to set {settings}.",
                system=upstream.label,
                settings=settings,
            )
        return t(
            "{system} is not set up in Staffdesk yet. An administrator needs to set its settings.",
            system=upstream.label,
        )
