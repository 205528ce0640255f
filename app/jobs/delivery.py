"""The delivery loop: runs the outbox worker until told to stop, surviving database hiccups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from app.domain.errors import StorageUnavailable
from app.observability import DELIVERY_ATTEMPTS, DELIVERY_LOOP_ERRORS
from app.services.delivery import DeliveryReport, DeliveryWorker

log = logging.getLogger(__name__)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


ReportListener = Callable[[DeliveryReport], Awaitable[None]]


async def run_heartbeat(worker: DeliveryWorker, stop: asyncio.Event) -> None:
    """Beat while the process lives, also while a slow delivery holds the delivery loop."""
    every = worker.policy.beat_every.total_seconds()
    while not stop.is_set():
        try:
            await worker.beat()
        except Exception as error:
            log.warning("heartbeat not recorded (%s); trying again in %.0f s", type(error).__name__, every)
        await _pause(stop, every)


async def _tell(on_report: ReportListener | None, report: DeliveryReport) -> None:
    if on_report is None:
        return
    try:
        await on_report(report)
    except Exception:
        log.exception(
            "could not tell Slack about request %s; its state is stored all the same", report.request_id
        )


async def run_delivery_loop(
    worker: DeliveryWorker,
    stop: asyncio.Event,
    *,
    on_report: ReportListener | None = None,
    idle_seconds: float = 2.0,
    error_seconds: float = 5.0,
) -> None:
    """Deliver due requests until `stop` is set; a full batch is followed at once by the next."""
    while not stop.is_set():
        try:
            reports = await worker.run_once()
        except StorageUnavailable:
            DELIVERY_LOOP_ERRORS.inc()
            log.warning("the database is unavailable; delivery resumes when it is back")
            await _pause(stop, error_seconds)
            continue
        except Exception:
            DELIVERY_LOOP_ERRORS.inc()
            log.exception("delivery loop iteration failed; retrying in %.0f s", error_seconds)
            await _pause(stop, error_seconds)
            continue
        for report in reports:
            DELIVERY_ATTEMPTS.labels(report.outcome.outcome).inc()
            await _tell(on_report, report)
        if len(reports) < worker.policy.batch_size:
            await _pause(stop, idle_seconds)
