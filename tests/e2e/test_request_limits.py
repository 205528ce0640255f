"""A real `staffdesk serve` refuses unsigned, stale and oversized requests to /slack/events without
holding their bodies: its memory stays put while it is sent 20 MB."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.e2e.harness import CHANNEL, SLACK_USERS, eventually, sign
from tests.e2e.processes import serve_env, start_serve, stop
from tests.fake_slack import FakeSlack, serve_fake_slack

MIB = 1024 * 1024
BIG = 20 * MIB
CHUNK = 64 * 1024
MEMORY_ALLOWANCE = 20 * MIB


async def big_body(size: int = BIG) -> AsyncIterator[bytes]:
    """`size` bytes, made a chunk at a time so that the test never holds them all."""
    chunk = b"x" * CHUNK
    for _ in range(size // CHUNK):
        yield chunk


def memory_bytes(pid: int, field: str) -> int:
    """A line of /proc/<pid>/status in bytes: VmRSS, what the process holds now; VmHWM, the most since the
    peak was last reset."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} line")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def command_body(slack_url: str, text: str = "help") -> str:
    return urlencode(
        {
            "command": "/staffing",
            "text": text,
            "user_id": "U0MARTA",
            "channel_id": CHANNEL,
            "team_id": "T0ACME",
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "response_url": f"{slack_url.removesuffix('api/')}response/cmd",
        }
    )


class Served:
    """A running `staffdesk serve`, the fake Slack behind it, and a client for its HTTP surface."""

    def __init__(self, pid: int, http: httpx.AsyncClient, slack: FakeSlack, slack_url: str) -> None:
        self.pid = pid
        self.http = http
        self.slack = slack
        self.slack_url = slack_url

    async def answered_help(self) -> httpx.Response:
        """A signed /staffing help, once its answer has reached the fake Slack."""
        before = len(self.slack.responses)
        body = command_body(self.slack_url)
        answer = await self.http.post("/slack/events", content=body, headers=sign(body))
        await eventually(lambda: len(self.slack.responses) > before, seconds=20)
        return answer

    async def growth_while_sent(self, headers: dict[str, str]) -> tuple[int, int]:
        """The status of a 20 MB streamed POST with `headers`, and how far the server's memory rose above
        what it held before, at its peak."""
        await self.answered_help()
        reset_peak(self.pid)
        before = memory_bytes(self.pid, "VmRSS")
        answer = await self.http.post("/slack/events", content=big_body(), headers=headers)
        return answer.status_code, memory_bytes(self.pid, "VmHWM") - before


@pytest.fixture
async def served(fresh_database_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    slack = FakeSlack(users=dict(SLACK_USERS))
    async with serve_fake_slack(slack) as slack_url:
        process, url = await start_serve(serve_env({}, slack_url, fresh_database_url), tmp_path)
        try:
            async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                yield Served(process.pid, http, slack, slack_url)
        finally:
            await stop(process)


def looks_signed(timestamp: int | None = None) -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "X-Slack-Signature": "v0=" + "0" * 64,
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def test_a_big_unsigned_request_is_refused_without_being_read(served: Served) -> None:
    status, growth = await served.growth_while_sent({"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (401, 413)
    assert growth < MEMORY_ALLOWANCE


async def test_a_big_request_with_signature_headers_is_cut_off_at_one_mebibyte(served: Served) -> None:
    status, growth = await served.growth_while_sent(looks_signed())
    assert status == 413
    assert growth < MEMORY_ALLOWANCE


async def test_a_declared_length_over_one_mebibyte_is_refused_at_once(served: Served) -> None:
    status, growth = await served.growth_while_sent(looks_signed() | {"Content-Length": str(BIG)})
    assert status == 413
    assert growth < MEMORY_ALLOWANCE


async def test_a_signed_body_of_two_mebibytes_is_too_large(served: Served) -> None:
    body = command_body(served.slack_url, text="x" * (2 * MIB))
    answer = await served.http.post("/slack/events", content=body, headers=sign(body))
    assert answer.status_code == 413
    assert [c.method for c in served.slack.calls if c.method != "auth.test"] == []  # only token checks


@pytest.mark.parametrize(
    "stamp", [pytest.param(-10 * 60, id="ten-minutes-old"), pytest.param(10 * 60, id="ten-minutes-ahead")]
)
async def test_a_request_signed_ten_minutes_away_from_now_is_refused(served: Served, stamp: int) -> None:
    body = command_body(served.slack_url)
    answer = await served.http.post(
        "/slack/events", content=body, headers=sign(body, timestamp=int(time.time()) + stamp)
    )
    assert answer.status_code == 401
    assert served.slack.responses == []


@pytest.mark.parametrize("stamp", ["soon", "", "1.5e9"])
async def test_a_timestamp_that_is_not_a_whole_number_is_refused(served: Served, stamp: str) -> None:
    body = command_body(served.slack_url)
    headers = sign(body) | {"X-Slack-Request-Timestamp": stamp}
    answer = await served.http.post("/slack/events", content=body, headers=headers)
    assert answer.status_code == 401


async def test_a_signed_slash_command_within_the_limits_is_answered(served: Served) -> None:
    answer = await served.answered_help()
    assert answer.status_code == 200
    assert "/allocate" in str(served.slack.responses[-1])
