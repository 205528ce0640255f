"""Send each request to the provisioner of its kind; a kind whose upstream is off needs an operator."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.outcomes import DeliveryOutcome, NeedsOperator
from app.domain.requests import RequestKind, StaffingRequest
from app.domain.upstreams import UPSTREAM_OF_KIND
from app.domain.words import said
from app.services.ports import Provisioner


class ProvisionerByKind:
    """A Provisioner that dispatches on the request's kind."""

    def __init__(
        self, provisioners: Mapping[RequestKind, Provisioner], missing_settings: Mapping[RequestKind, str]
    ):
        self._provisioners = dict(provisioners)
        self._missing_settings = dict(missing_settings)

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        provisioner = self._provisioners.get(request.kind)
        if provisioner is None:
            settings = self._missing_settings.get(request.kind, "its upstream's settings")
            reason = said(
                "{upstream} is not set up in Staffdesk, so this request ({kind}) cannot be delivered.",
                upstream=UPSTREAM_OF_KIND[request.kind].label,
                kind=request.kind.words,
            )
            return NeedsOperator(reason=reason, setting=settings)
        return await provisioner.provision(request, attempt=attempt)
