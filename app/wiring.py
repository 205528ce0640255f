"""Composition root: the one module that knows every concrete class."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from app.clients.http import timeout_waiting
from app.clients.missionx.client import MissionXClient
from app.clients.procore.client import ProcoreClient
from app.clients.wethod.client import WethodClient
from app.domain.directory import UPSTREAM_OF_KIND, Upstream
from app.domain.requests import RequestKind, StaffingRequest
from app.integrations.missionx import MissionXDirectorySource, MissionXPersonProvisioner
from app.integrations.procore import ProcoreDirectorySource, ProcorePersonProvisioner
from app.integrations.wethod import (
    WethodAllocationProvisioner,
    WethodAllocationReader,
    WethodDirectorySource,
    WethodWhitelistProvisioner,
)
from app.jobs.approvals import schedule_expiry
from app.jobs.delivery import run_delivery_loop, run_heartbeat
from app.jobs.directory import schedule_directory_refresh
from app.jobs.slack_outbox import run_outbox_loop
from app.jobs.summary import schedule_summaries
from app.policy.model import Policy
from app.services.approvers import ApprovalContext
from app.services.delivery import DeliveryPolicy, DeliveryReport, DeliveryWorker
from app.services.identity import Identities
from app.services.notices import NoticeLedger, NoticePolicy
from app.services.ports import Clock, DirectorySource, Provisioner, UnitOfWorkFactory
from app.services.routing import ProvisionerByKind
from app.services.summary_runs import SummaryContext
from app.settings import Settings
from app.slack.app import build_slack_app
from app.slack.deps import SlackDeps
from app.slack.outbox import SlackOutbox
from app.slack.people import SlackWebPeople
from app.slack.poster import SlackPoster
from app.slack.summary_poster import SlackSummaryPoster
from app.slack.web_client import build_web_client
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from app.web import build_web_app

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def worker_identity() -> str:
    """A name unique to this process, for leases and the audit trail."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Upstreams:
    """The clients of the upstreams whose credentials are configured."""

    wethod: WethodClient | None = None
    missionx: MissionXClient | None = None
    procore: ProcoreClient | None = None

    async def aclose(self) -> None:
        for client in (self.wethod, self.missionx, self.procore):
            if client is not None:
                await client.aclose()


def build_upstreams(settings: Settings) -> Upstreams:
    upstreams = Upstreams()
    timeout = timeout_waiting(settings.staffdesk_upstream_timeout)
    if settings.wethod_token and settings.wethod_company:
        upstreams.wethod = WethodClient(
            settings.wethod_base_url,
            settings.wethod_token.get_secret_value(),
            settings.wethod_company,
            settings.wethod_version,
            timeout=timeout,
        )
    if settings.missionx_client_id and settings.missionx_client_secret and settings.missionx_org_id:
        upstreams.missionx = MissionXClient(
            settings.missionx_base_url,
            settings.missionx_token_url,
            settings.missionx_client_id,
            settings.missionx_client_secret.get_secret_value(),
            settings.missionx_org_id,
            timeout=timeout,
        )
    if settings.procore_client_id and settings.procore_client_secret and settings.procore_company_id:
        upstreams.procore = ProcoreClient(
            settings.procore_base_url,
            settings.procore_token_url,
            settings.procore_client_id,
            settings.procore_client_secret.get_secret_value(),
            settings.procore_company_id,
            timeout=timeout,
        )
    return upstreams


def build_provisioner(settings: Settings, upstreams: Upstreams) -> Provisioner:
    """The provisioner per request kind; kinds whose upstream is off report the missing settings."""
    provisioners: dict[RequestKind, Provisioner] = {}
    if upstreams.wethod:
        provisioners[RequestKind.ALLOCATION] = WethodAllocationProvisioner(upstreams.wethod)
        provisioners[RequestKind.WHITELIST] = WethodWhitelistProvisioner(upstreams.wethod)
    if upstreams.missionx:
        provisioners[RequestKind.MISSIONX_PROJECT_PERSON] = MissionXPersonProvisioner(upstreams.missionx)
    if upstreams.procore:
        provisioners[RequestKind.PROCORE_PROJECT_PERSON] = ProcorePersonProvisioner(upstreams.procore)
    missing = {kind: ", ".join(settings.missing_for(up.label)) for kind, up in UPSTREAM_OF_KIND.items()}
    return ProvisionerByKind(provisioners, missing)


def build_directory_sources(upstreams: Upstreams) -> list[DirectorySource]:
    sources: list[DirectorySource] = []
    if upstreams.wethod:
        sources.append(WethodDirectorySource(upstreams.wethod))
    if upstreams.missionx:
        sources.append(MissionXDirectorySource(upstreams.missionx))
    if upstreams.procore:
        sources.append(ProcoreDirectorySource(upstreams.procore))
    return sources


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    upstreams: Upstreams
    worker: DeliveryWorker
    clock: Clock
    approvals: ApprovalContext
    slack_client: AsyncWebClient
    notifier: SlackOutbox
    slack_deps: SlackDeps
    unit_of_work: UnitOfWorkFactory
    summaries: SummaryContext
    directory_sources: list[DirectorySource] = field(default_factory=list)


def build_container(
    settings: Settings,
    permission_policy: Policy,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock = utc_now,
    provisioner: Provisioner | None = None,
    delivery_policy: DeliveryPolicy | None = None,
) -> Container:
    engine = engine or database.create_engine(settings.database_url)
    sessions = database.session_factory(engine)
    reading = database.session_factory(engine, read_only=True)
    one_writer = database.writer_lock(engine)

    def unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, writer_lock=one_writer)

    def read_only_unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(reading)

    upstreams = build_upstreams(settings)
    worker = DeliveryWorker(
        unit_of_work,
        provisioner or build_provisioner(settings, upstreams),
        worker_id=worker_identity(),
        clock=clock,
        policy=delivery_policy,
    )
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    slack_client = build_web_client(token, settings.slack_api_url)
    slack_people = SlackWebPeople(slack_client)
    identities = Identities(
        unit_of_work, slack_people, permission_policy, clock, reading=read_only_unit_of_work
    )
    outbox_wake = asyncio.Event()
    approvals = ApprovalContext(
        unit_of_work, identities, slack_people, permission_policy, clock, settings.timezone, outbox_wake.set
    )
    ledger = NoticeLedger(unit_of_work, worker_id=worker.worker_id, clock=clock, policy=NoticePolicy())
    notifier = SlackOutbox(
        SlackPoster(slack_client), ledger, unit_of_work, reading=read_only_unit_of_work, wake=outbox_wake
    )
    enabled = tuple(Upstream(name.lower()) for name in settings.enabled_upstreams())
    missing = {u: ", ".join(settings.missing_for(u.label)) for u in Upstream}
    reader = WethodAllocationReader(upstreams.wethod) if upstreams.wethod else None
    summaries = SummaryContext(
        unit_of_work,
        reader,
        identities,
        clock,
        settings.timezone,
        settings.staffdesk_summary_time,
        settings.staffdesk_summary_channel,
        worker.worker_id,
    )
    slack_deps = SlackDeps(approvals, notifier, enabled, missing, read_only_unit_of_work, summaries, reader)
    return Container(
        settings,
        engine,
        upstreams,
        worker,
        clock,
        approvals,
        slack_client,
        notifier,
        slack_deps,
        unit_of_work,
        summaries,
        build_directory_sources(upstreams),
    )


def build_http_app(container: Container, *, socket_token: str | None = None) -> Starlette:
    """The served app: health, metrics, Slack (over HTTP, or over Socket Mode when `socket_token` is
    given), the delivery loop and the scheduled jobs, for the app's lifetime."""
    secret = container.settings.slack_signing_secret
    slack_app = build_slack_app(
        container.slack_client, secret.get_secret_value() if secret else "", container.slack_deps
    )

    @asynccontextmanager
    async def background(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        outbox = container.notifier

        async def tell_slack(report: DeliveryReport) -> None:
            await outbox.send_for(report.request_id)

        async def tell_expired(request: StaffingRequest) -> None:
            await outbox.send_for(request.id)

        loops = [
            asyncio.create_task(run_heartbeat(container.worker, stop), name="heartbeat"),
            asyncio.create_task(
                run_delivery_loop(container.worker, stop, on_report=tell_slack), name="delivery-loop"
            ),
            asyncio.create_task(
                run_outbox_loop(
                    outbox.send_due, stop, outbox.wake, batch_size=outbox.ledger.policy.batch_size
                ),
                name="slack-outbox",
            ),
        ]
        scheduler = AsyncIOScheduler(timezone=UTC)
        schedule_directory_refresh(
            scheduler, container.directory_sources, container.unit_of_work, container.clock
        )
        schedule_expiry(scheduler, container.approvals, tell_expired)
        schedule_summaries(scheduler, container.summaries, SlackSummaryPoster(container.slack_client))
        scheduler.start()
        socket = AsyncSocketModeHandler(slack_app, socket_token) if socket_token else None
        if socket is not None:
            await socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("connected to Slack over Socket Mode")
        try:
            yield
        finally:
            if socket is not None:
                await socket.close_async()  # type: ignore[no-untyped-call]
            scheduler.shutdown(wait=False)
            stop.set()
            await asyncio.gather(*loops)
            await container.upstreams.aclose()
            await container.engine.dispose()
            log.info("stopped: delivery and Slack outbox loops finished, database connections closed")

    http_slack = None if socket_token else slack_app
    signing = secret.get_secret_value() if secret else ""
    return build_web_app(lambda: database.ping(container.engine), background, http_slack, signing)
