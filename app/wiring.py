"""Composition root: the one module that knows every concrete class."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from app.domain.requests import RequestKind
from app.jobs.delivery import run_delivery_loop
from app.services.delivery import DeliveryPolicy, DeliveryWorker
from app.services.ports import Clock, Provisioner, UnitOfWork
from app.services.routing import ProvisionerByKind
from app.settings import Settings
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from app.web import build_web_app

log = logging.getLogger(__name__)

_UPSTREAM_OF_KIND = {
    RequestKind.ALLOCATION: "Wethod",
    RequestKind.WHITELIST: "Wethod",
    RequestKind.MISSIONX_PROJECT_PERSON: "MissionX",
    RequestKind.PROCORE_PROJECT_PERSON: "Procore",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def worker_identity() -> str:
    """A name unique to this process, for leases and the audit trail."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    worker: DeliveryWorker

    def unit_of_work(self) -> UnitOfWork:
        return SqlUnitOfWork(database.session_factory(self.engine))


def build_provisioner(settings: Settings) -> Provisioner:
    """The provisioner per request kind; kinds whose upstream is off report the missing settings."""
    provisioners: dict[RequestKind, Provisioner] = {}
    missing = {kind: ", ".join(settings.missing_for(up)) for kind, up in _UPSTREAM_OF_KIND.items()}
    return ProvisionerByKind(provisioners, missing)


def build_container(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock = utc_now,
    provisioner: Provisioner | None = None,
    policy: DeliveryPolicy | None = None,
) -> Container:
    engine = engine or database.create_engine(settings.database_url)
    sessions = database.session_factory(engine)
    worker = DeliveryWorker(
        lambda: SqlUnitOfWork(sessions),
        provisioner or build_provisioner(settings),
        worker_id=worker_identity(),
        clock=clock,
        policy=policy,
    )
    return Container(settings=settings, engine=engine, worker=worker)


def build_http_app(container: Container) -> Starlette:
    """The served app: health, metrics, and the delivery loop running for the app's lifetime."""

    @asynccontextmanager
    async def background(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        loop = asyncio.create_task(run_delivery_loop(container.worker, stop), name="delivery-loop")
        try:
            yield
        finally:
            stop.set()
            await loop
            await container.engine.dispose()
            log.info("stopped: delivery loop finished, database connections closed")

    return build_web_app(lambda: database.ping(container.engine), background)
