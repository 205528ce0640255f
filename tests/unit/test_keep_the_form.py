"""A modal submission that fails before it is answered stays open, as filled in, with the problem shown."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from app.domain.errors import StorageUnavailable
from app.slack.errors import IN_TIME, keep_the_form

FORM = {
    "id": "V0FORM",
    "blocks": [
        {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Allocate"}},
        {"type": "input", "block_id": "person_block", "element": {"type": "users_select"}},
        {"type": "input", "block_id": "hours_block", "element": {"type": "number_input"}},
    ],
}


def submission(view: Any = FORM) -> dict[str, Any]:
    return {"type": "view_submission", "user": {"id": "U0ANA"}, "view": view}


def answered(ack: AsyncAck) -> dict[str, Any]:
    assert ack.response is not None
    return dict(json.loads(ack.response.body))


async def test_an_outage_is_shown_next_to_the_first_field() -> None:
    ack = AsyncAck()
    assert await keep_the_form(StorageUnavailable(), ack, submission())
    assert answered(ack) == {
        "response_action": "errors",
        "errors": {"person_block": str(StorageUnavailable())},
    }


async def test_an_unexpected_error_gives_a_reference_that_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    ack = AsyncAck()
    with caplog.at_level(logging.ERROR, logger="staffdesk.slack"):
        assert await keep_the_form(RuntimeError("boom"), ack, submission())
    message = answered(ack)["errors"]["person_block"]
    reference = message.split("(reference ")[1].split(")")[0]
    assert "Nothing you sent is lost" in message
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "block_actions", "user": {"id": "U0ANA"}, "actions": []},
        submission({"id": "V0", "blocks": [{"type": "section", "block_id": "x"}]}),  # no field to show it by
        submission("not a view"),
    ],
)
async def test_anything_else_is_left_to_the_error_handler(body: dict[str, Any]) -> None:
    ack = AsyncAck()
    assert not await keep_the_form(StorageUnavailable(), ack, body)
    assert ack.response is None


async def test_a_submission_already_answered_is_not_answered_again() -> None:
    ack = AsyncAck()
    await ack(response_action="update", view={"type": "modal", "title": {"type": "plain_text", "text": "x"}})
    assert not await keep_the_form(StorageUnavailable(), ack, submission())
    assert answered(ack)["response_action"] == "update"


@pytest.mark.parametrize("in_time", [True, False])
async def test_a_form_is_kept_only_while_the_answer_can_still_reach_slack(in_time: bool) -> None:
    ack, context = AsyncAck(), AsyncBoltContext()
    context[IN_TIME] = lambda: in_time
    assert await keep_the_form(StorageUnavailable(), ack, submission(), context) is in_time
    assert (ack.response is not None) is in_time  # too late: the error handler sends a message instead
