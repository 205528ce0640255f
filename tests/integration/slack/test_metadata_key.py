"""The served app signs private_metadata with its Slack signing secret, or with its bot token when it has
none (Socket Mode), so every replica and restart reads what another signed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import RequestKind
from app.policy.file import parse_policy
from app.settings import Settings
from app.slack.metadata import FormNotVerified, MetadataSigner, ModalContext, read_metadata, use_signing_key
from app.wiring import build_container, build_http_app

BOT_TOKEN = "xoxb-5555555555-6666666666-MetadataKeyTestToken"
SIGNING_SECRET = "metadata0key0signing0secret0abcd"
POLICY = "roles: {}\nmembers: {}\napprovals: {fallback: [U0GIULIA]}\n"
CONTEXT = ModalContext(kind=RequestKind.WHITELIST, channel_id="C0STAFFING")


async def served_with(engine: AsyncEngine, tmp_path: Path, **values: str) -> None:
    """Build the served app as `staffdesk serve` does, with these Slack settings."""
    settings = Settings.model_validate({"slack_bot_token": BOT_TOKEN, **values})
    container = build_container(settings, parse_policy(POLICY, tmp_path / "policy.yml"), engine=engine)
    socket_token = None if values.get("slack_signing_secret") else "xapp-1-A0STAFF-77-SocketToken"
    build_http_app(container, socket_token=socket_token)


@pytest.fixture(autouse=True)
def process_key() -> Iterator[None]:
    yield
    use_signing_key("")


@pytest.mark.parametrize(
    ("values", "key"),
    [
        pytest.param({"slack_signing_secret": SIGNING_SECRET}, SIGNING_SECRET, id="signing-secret"),
        pytest.param({}, BOT_TOKEN, id="socket-mode-bot-token"),
    ],
)
async def test_metadata_signed_by_another_replica_with_the_same_settings_is_read(
    engine: AsyncEngine, tmp_path: Path, values: dict[str, str], key: str
) -> None:
    await served_with(engine, tmp_path, **values)
    assert read_metadata(ModalContext, MetadataSigner(key).sign(CONTEXT)) == CONTEXT


async def test_with_a_signing_secret_the_bot_token_is_not_the_key(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await served_with(engine, tmp_path, slack_signing_secret=SIGNING_SECRET)
    with pytest.raises(FormNotVerified):
        read_metadata(ModalContext, MetadataSigner(BOT_TOKEN).sign(CONTEXT))
