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
from functools import partial

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from app.domain.upstreams import Upstream
from app.jobs.approvals import schedule_expiry
from app.jobs.delivery import run_delivery_loop, run_heartbeat
from app.jobs.directory import catch_up_once, schedule_directory_refresh, schedule_index_catch_up
from app.jobs.slack_outbox import run_outbox_loop
from app.jobs.summary import schedule_summaries
from app.policy.model import Policy
from app.services.approvers import ApprovalContext
from app.services.calendar import WorkingDays
from app.services.delivery import DeliveryPolicy, DeliveryReport, DeliveryWorker
from app.services.directory_index import DirectoryIndex
from app.services.identity import Identities
from app.services.notices import NoticeLedger, NoticePolicy
from app.services.ports import Clock, DirectorySource, Provisioner, UnitOfWorkFactory
from app.services.queries import approval_facts
from app.services.summary_runs import SummaryContext, SummaryPoster
from app.settings import Settings
from app.slack.app import build_slack_app
from app.slack.deps import SlackDeps
from app.slack.outbox import SlackOutbox
from app.slack.people import SlackWebPeople, UserLocales
from app.slack.poster import SlackPoster
from app.slack.readers import Readers
from app.slack.summary_poster import SlackSummaryPoster
from app.slack.web_client import build_web_client
from app.storage import database
from app.storage.request_lookup import DriverRequestLookup
from app.storage.unit_of_work import SqlUnitOfWork
from app.upstreams import EnabledUpstreams, build_upstreams
from app.web import build_web_app

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_engine(settings: Settings) -> AsyncEngine:
    return database.create_engine(settings.database_url)


def build_slack_client(settings: Settings) -> AsyncWebClient:
    """The Web API client, with Slack's rate limits and outages retried, through SLACK_API_URL."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    return build_web_client(token, settings.slack_api_url)


def worker_identity() -> str:
    """A name unique to this process, for leases and the audit trail."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    upstreams: EnabledUpstreams
    worker: DeliveryWorker
    clock: Clock
    approvals: ApprovalContext
    slack_client: AsyncWebClient
    notifier: SlackOutbox
    slack_deps: SlackDeps
    unit_of_work: UnitOfWorkFactory
    summaries: SummaryContext
    summary_poster: SummaryPoster
    directory_index: DirectoryIndex
    directory_sources: list[DirectorySource] = field(default_factory=list)
    locales: UserLocales | None = None


def build_container(
    settings: Settings,
    permission_policy: Policy,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock = utc_now,
    provisioner: Provisioner | None = None,
    delivery_policy: DeliveryPolicy | None = None,
) -> Container:
    engine = engine or build_engine(settings)
    sessions = database.session_factory(engine)
    reading = database.session_factory(engine, read_only=True)
    one_writer = database.writer_lock(engine)

    def unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, writer_lock=one_writer)

    def read_only_unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(reading)

    one_statement = database.session_factory(engine, one_statement=True)

    def one_statement_unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(one_statement, writer_lock=one_writer)

    upstreams = build_upstreams(settings)
    worker = DeliveryWorker(
        unit_of_work,
        provisioner or upstreams.provisioner(),
        worker_id=worker_identity(),
        clock=clock,
        policy=delivery_policy,
    )
    slack_client = build_slack_client(settings)
    slack_people = SlackWebPeople(slack_client)
    locales = UserLocales(slack_people)  # one cache of Slack locales: the listeners' and the outbox's
    directory_index = DirectoryIndex(read_only_unit_of_work)
    identities = Identities(
        unit_of_work,
        slack_people,
        permission_policy,
        clock,
        reading=read_only_unit_of_work,
        lookups=directory_index,
    )
    outbox_wake = asyncio.Event()
    approvals = ApprovalContext(
        unit_of_work,
        identities,
        slack_people,
        permission_policy,
        clock,
        settings.timezone,
        outbox_wake.set,
        reading=read_only_unit_of_work,
        lookup=DriverRequestLookup(engine, read_only_unit_of_work),
    )
    ledger = NoticeLedger(
        unit_of_work,
        one_statement=one_statement_unit_of_work,
        worker_id=worker.worker_id,
        clock=clock,
        policy=NoticePolicy(),
        heartbeat=worker.heartbeat,
    )
    reader = upstreams.allocation_reader()
    notifier = SlackOutbox(
        SlackPoster(slack_client),
        ledger,
        read_only_unit_of_work,
        wake=outbox_wake,
        operators=settings.operators,
        facts=partial(approval_facts, reader, expire_after=permission_policy.approvals.expire_after),
        directory=directory_index,
        locales=locales,
        channel_language=settings.staffdesk_language,
    )
    enabled = tuple(settings.enabled_upstreams())
    missing = {u: ", ".join(settings.missing_for(u)) for u in Upstream}
    summaries = SummaryContext(
        unit_of_work,
        reader,
        identities,
        clock,
        settings.timezone,
        settings.staffdesk_summary_time,
        settings.staffdesk_summary_channel,
        worker.worker_id,
        WorkingDays(settings.staffdesk_holidays),
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
        SlackSummaryPoster(slack_client, Readers(locales, settings.staffdesk_language)),
        directory_index,
        upstreams.sources(),
        locales,
    )


def build_http_app(container: Container, *, socket_token: str | None = None) -> Starlette:
    """The served app: health, metrics, Slack (over HTTP, or over Socket Mode when `socket_token` is
    given), the delivery loop and the scheduled jobs, for the app's lifetime."""
    secret = container.settings.slack_signing_secret
    slack_app = build_slack_app(
        container.slack_client,
        secret.get_secret_value() if secret else "",
        container.slack_deps,
        container.directory_index,
        locales=container.locales,
        signatures_checked_before=True,  # by app.web, over HTTP; Socket Mode requests carry none
    )

    @asynccontextmanager
    async def background(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        outbox = container.notifier
        # One HTTP session for every Web API call of the process, so that calls reuse connections (without
        # one, slack_sdk opens and closes a connection per call); calls time out as the client says.
        slack_http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=container.slack_client.timeout)
        )
        container.slack_client.session = slack_http

        # A delivery stores its Slack notices with it; the outbox loop sends them. The delivery loop never
        # waits for a turn to send: behind a burst of listeners' sends, that wait would hold up every
        # delivery after it. (Expiries, like every decision, wake the outbox from the approval service.)
        async def tell_slack(_: DeliveryReport) -> None:
            outbox.wake.set()

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
        await catch_up_once(container.directory_index)  # the project index, built before the first load
        scheduler = AsyncIOScheduler(timezone=UTC)
        schedule_directory_refresh(
            scheduler,
            container.directory_sources,
            container.unit_of_work,
            container.clock,
            container.directory_index,
        )
        schedule_index_catch_up(scheduler, container.directory_index)
        schedule_expiry(scheduler, container.approvals)
        schedule_summaries(scheduler, container.summaries, container.summary_poster)
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
            await slack_http.close()
            await container.engine.dispose()
            log.info("stopped: delivery and Slack outbox loops finished, database connections closed")

    http_slack = None if socket_token else slack_app
    signing = secret.get_secret_value() if secret else ""
    return build_web_app(lambda: database.ping(container.engine), background, http_slack, signing)
