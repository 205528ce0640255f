"""The one error handler: known errors in plain words where the user is; anything else with a reference."""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app import i18n
from app.domain.errors import StaffdeskError
from app.slack.blocks.common import joined
from app.slack.blocks.escape import Mrkdwn, escape
from app.slack.locale import markup

log = logging.getLogger("staffdesk.slack")

# Slack waits 3 s for an answer; past this, counted from when Bolt hands the request to the listeners,
# an answer may not reach it in time. IN_TIME names the context entry that says whether there is still time.
ACK_BUDGET_SECONDS = 2.5
IN_TIME = "staffdesk_in_time"


def still_in_time(context: AsyncBoltContext | None) -> bool:
    in_time = context.get(IN_TIME) if context is not None else None
    return bool(in_time()) if callable(in_time) else True


def error_markup(error: BaseException) -> Mrkdwn:
    """What to tell the user, as Slack markup in the reader's language: the error's words escaped, the
    Slack users it names as mentions."""
    if isinstance(error, StaffdeskError) and error.words:
        return joined((markup(w) for w in error.words), "")
    return escape(user_text(error)[0])


def user_text(error: BaseException) -> tuple[str, str | None]:
    """What to tell the user, as plain text in the reader's language (Slack users by their id), and the
    reference logged with the traceback (None for known errors)."""
    if isinstance(error, StaffdeskError) and error.words:
        return "".join(i18n.render(w) for w in error.words), None
    if isinstance(error, StaffdeskError):
        return str(error), None
    reference = uuid.uuid4().hex[:8]
    text = i18n.t(
        "Something went wrong inside Staffdesk (reference {reference}). Nothing you sent is lost; "
        "try again, and if it keeps happening give the reference to your Staffdesk administrator.",
        reference=reference,
    )
    return text, reference


async def handle_error(
    error: Exception, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond | None = None
) -> None:
    text, reference = user_text(error)
    if reference is not None:
        log.error("unexpected error (reference %s)", reference, exc_info=error)
    user_id = (body.get("user") or {}).get("id") or body.get("user_id")
    shown = error_markup(error) if reference is None else escape(text)
    try:
        if respond is not None and body.get("response_url"):
            await respond(text=shown, response_type="ephemeral", replace_original=False)
        elif user_id:
            opened = await client.conversations_open(users=user_id)
            await client.chat_postMessage(channel=opened["channel"]["id"], text=shown)
    except Exception:
        log.exception("could not tell %s about an error (%s)", user_id, reference or type(error).__name__)


async def keep_the_form(
    error: Exception, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext | None = None
) -> bool:
    """A modal submission that failed before it was answered stays open as filled in, with the problem
    next to its first field; False when this is not such a submission, or when it is too late for the
    answer to reach Slack (the error handler then tells the user in a message)."""
    view = body.get("view")
    if body.get("type") != "view_submission" or ack.response is not None or not still_in_time(context):
        return False
    field = first_field(view)
    if field is None:
        return False
    text, reference = user_text(error)
    if reference is not None:
        log.error("unexpected error (reference %s)", reference, exc_info=error)
    await ack(response_action="errors", errors={field: text})
    return True


def first_field(view: Any) -> str | None:
    """The block id of a modal's first input, where a message about the whole form can stand."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    inputs = [
        b["block_id"]
        for b in (blocks if isinstance(blocks, list) else [])
        if isinstance(b, dict) and b.get("type") == "input" and isinstance(b.get("block_id"), str)
    ]
    return inputs[0] if inputs else None


Listener = Callable[..., Awaitable[None]]


def reporting_errors(func: Listener) -> Listener:
    """Report a listener's error to the user here, rather than leaving it to Bolt.

    Bolt forgets an ack() when its listener raises soon after acking, and then answers Slack "unhandled
    request" after three seconds; handling the error inside the listener keeps the ack.
    """
    wanted = set(inspect.signature(func).parameters)

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond | None = None,
        event: dict[str, Any] | None = None,
        context: AsyncBoltContext | None = None,
    ) -> None:
        given = {
            "ack": ack,
            "body": body,
            "client": client,
            "respond": respond,
            "event": event,
            "context": context,
        }
        try:
            await func(**{name: value for name, value in given.items() if name in wanted})
        except Exception as error:
            if not await keep_the_form(error, ack, body, context):
                await handle_error(error, body, client, respond)

    listener.__name__ = func.__name__
    listener.__qualname__ = func.__qualname__
    return listener
