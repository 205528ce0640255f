"""The Slack Web API client: every call through SLACK_API_URL, rate limits and outages retried."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

RATE_LIMIT_RETRIES = 3


def build_web_client(token: str, base_url: str, *, timeout: int = 15) -> AsyncWebClient:
    """A client that waits out 429s (honouring Retry-After) and retries connection and 5xx errors."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class SessionRespond(AsyncRespond):
    """Bolt's `respond()`, sent through the Web API client's HTTP session when it has one, so that answers
    to a response_url reuse its connections: Bolt's own opens and closes a session, and a connection, for
    each answer. It takes the arguments Staffdesk gives `respond()`."""

    def __init__(self, response_url: str, client: AsyncWebClient) -> None:
        super().__init__(response_url=response_url, proxy=client.proxy, ssl=client.ssl)
        self._client = client

    async def __call__(  # type: ignore[override]
        self,
        text: str = "",
        blocks: Sequence[dict[str, Any]] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
    ) -> WebhookResponse:
        assert self.response_url is not None
        webhook = AsyncWebhookClient(
            url=self.response_url,
            timeout=self._client.timeout,
            ssl=self.ssl,
            proxy=self.proxy,
            session=self._client.session,
        )
        message: dict[str, Any] = {"text": text}
        if blocks is not None:
            message["blocks"] = list(blocks)
        if response_type is not None:
            message["response_type"] = response_type
        if replace_original is not None:
            message["replace_original"] = replace_original
        return await webhook.send_dict(message)
