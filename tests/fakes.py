"""Fakes of our own Protocols."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain.outcomes import Delivered, DeliveryOutcome
from app.domain.requests import StaffingRequest


@dataclass
class FakeProvisioner:
    """Answers each call with `answer(request, attempt)`; remembers every call and every delivery."""

    answer: Callable[[StaffingRequest, int], DeliveryOutcome] = field(
        default=lambda request, attempt: Delivered(upstream_ids=(f"up-{request.id}",), summary="created")
    )
    calls: list[tuple[str, int]] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    hold: asyncio.Event | None = None
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        self.calls.append((request.id, attempt))
        self.called.set()
        if self.hold is not None:
            await self.hold.wait()
        outcome = self.answer(request, attempt)
        if isinstance(outcome, Delivered):
            self.delivered.append(request.id)
        return outcome
