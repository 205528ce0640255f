"""Each person is answered in their Slack language, through the running app: App Home, /staffing, the
allocation form and the direct messages in Italian for a user whose Slack is Italian, in English for the
others, with each locale asked of Slack once; channels and threads in STAFFDESK_LANGUAGE."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import get_request, requests_of
from app.slack.ids import Action
from tests.e2e.harness import CHANNEL, World, allocation_values, eventually, running_world, sign

ITALIAN = "U0ANA"
ENGLISH = "U0MARTA"


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        running.slack.locales[ITALIAN] = "it-IT"
        yield running


async def staffing(world: World, text: str, user: str) -> dict[str, Any]:
    before = len(world.slack.responses)
    assert (await world.command("/staffing", text, user)).status_code == 200
    await eventually(lambda: len(world.slack.responses) > before)
    return world.slack.responses[-1]


async def open_home(world: World, user: str) -> str:
    before = len(world.slack.called("views.publish"))
    event = {
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "team_id": "T0ACME",
        "api_app_id": "A0STAFF",
        "event": {"type": "app_home_opened", "user": user, "tab": "home"},
    }
    body = json.dumps(event)
    headers = {**sign(body), "Content-Type": "application/json"}
    assert (await world.http.post("/slack/events", content=body, headers=headers)).status_code == 200
    await eventually(lambda: len(world.slack.called("views.publish")) > before)
    published = world.slack.called("views.publish")[-1]
    assert published["user_id"] == user
    return json.dumps(published["view"], ensure_ascii=False)


def locale_lookups(world: World, user: str) -> int:
    return sum(
        1 for c in world.slack.called("users.info") if c.get("user") == user and c.get("include_locale")
    )


async def test_staffing_help_answers_in_the_language_of_each_persons_slack(world: World) -> None:
    italian = await staffing(world, "help", ITALIAN)
    assert italian["response_type"] == "ephemeral"
    assert italian["text"].startswith("*Staffdesk* raccoglie le richieste di staffing")
    assert "• `/staffing mine`: le tue richieste e il loro stato" in italian["text"]
    english = await staffing(world, "help", ENGLISH)
    assert english["text"].startswith("*Staffdesk* asks for staffing changes")


async def test_staffing_says_in_italian_what_it_did_not_understand(world: World) -> None:
    answer = await staffing(world, "settimanale", ITALIAN)
    assert answer["text"].startswith(":grey_question: “settimanale” non è un comando di /staffing.")
    answer = await staffing(world, "pending per favore", ITALIAN)
    shown = json.dumps(answer, ensure_ascii=False)
    assert "Non ho capito queste parole, quindi le ho ignorate: “per”, “favore”." in shown
    assert "Nessuna richiesta aspetta la tua approvazione." in shown


async def test_app_home_reads_in_italian_for_an_italian_slack(world: World) -> None:
    home = await open_home(world, ITALIAN)
    for words in (
        "Chiedi una modifica allo staffing",
        "Alloca ore",
        "Richieste da approvare",
        "Le tue richieste",
    ):
        assert words in home
    assert "Ask for a staffing change" not in home
    assert "Ask for a staffing change" in await open_home(world, ENGLISH)


async def test_each_locale_is_asked_of_slack_once(world: World) -> None:
    await staffing(world, "help", ITALIAN)
    await staffing(world, "back", ITALIAN)
    await open_home(world, ITALIAN)
    assert locale_lookups(world, ITALIAN) == 1


REQUESTER = "U0MARTA"
SECOND_APPROVER = "U0IRENE"
ASKED = "<@U0MARTA|marta> apollo web 2026-12-07..2026-12-09 4h"


def posts_to(world: World, channel: str, *, method: str = "chat.postMessage") -> list[dict[str, Any]]:
    return [p for p in world.slack.called(method) if p["channel"] == channel]


def dm_texts(world: World, user: str) -> list[str]:
    return [p["text"] for p in posts_to(world, "D" + user[1:])]


def thread(world: World, message_ts: str) -> list[str]:
    return [p["text"] for p in world.slack.called("chat.postMessage") if p.get("thread_ts") == message_ts]


async def allocate(world: World, user: str) -> tuple[str, str]:
    """`/allocate` with the person, the project, the days and the hours, then the form sent as filled in:
    the form as shown (JSON) and the id of the request."""
    await world.command("/allocate", ASKED, user)
    await eventually(lambda: len(world.slack.called("views.update")) == 1)
    modal = world.last_view("views.update")
    values = allocation_values(REQUESTER, "2026-12-07", "2026-12-09", "4")
    assert (await world.submit(modal, values, user)).json()["response_action"] == "update"
    await eventually(lambda: bool(posts_to(world, CHANNEL)))
    await eventually(lambda: all(dm_texts(world, approver) for approver in (ITALIAN, SECOND_APPROVER)))
    (request,) = await requests_of(world.container.unit_of_work, user)
    return json.dumps(modal, ensure_ascii=False), request.id


async def approve_and_deliver(world: World, request_id: str, approver: str) -> str:
    """The approver's click, then the delivery; the ts of the request's message."""
    request = await get_request(world.container.unit_of_work, request_id)
    assert request.message_ts is not None
    await world.click(Action.APPROVE, json.dumps({"request_id": request_id}), approver)
    await eventually(lambda: len(thread(world, str(request.message_ts))) == 1)
    assert await world.deliver() == 1
    await eventually(lambda: len(thread(world, str(request.message_ts))) == 2)
    return request.message_ts


async def test_an_italian_requester_gets_the_form_and_her_replies_in_italian_while_the_channel_reads_english(
    world: World,
) -> None:
    world.slack.locales[REQUESTER] = "it-IT"
    form, request_id = await allocate(world, REQUESTER)
    for words in (
        '"Alloca"',
        "Invia la richiesta",
        "Chi",
        "Ore al giorno",
        "Quando, a parole",
        "Nota per chi approva",
        ":mag: Dal tuo comando: <@U0MARTA>",
        "lun 7 – mer 9 dic, 4 h al giorno",
        "*Verranno create 3 allocazioni:*",
        "• lun 7 dic: 0 h già presenti + 4 h → 4 h",
    ):
        assert words in form
    assert "Send request" not in form
    assert "Hours a day" not in form

    (message,) = posts_to(world, CHANNEL)
    assert message["text"].startswith(
        ":hourglass_flowing_sand: Waiting for approval: Allocation: Marta Gallo"
    )
    assert dm_texts(world, ITALIAN)[0].startswith("Serve la tua approvazione: Allocazione: Marta Gallo su ")
    assert dm_texts(world, SECOND_APPROVER)[0].startswith("Approval needed: Allocation: Marta Gallo on ")

    message_ts = await approve_and_deliver(world, request_id, ITALIAN)
    replies = thread(world, message_ts)
    assert replies[0].startswith(":white_check_mark: Approved by <@U0ANA>. Staffdesk is sending it now.")
    assert replies[1].startswith(":tada: Done: ")
    told = dm_texts(world, REQUESTER)
    assert told[0].startswith(":white_check_mark: <@U0ANA> ha approvato la tua richiesta. Staffdesk la sta")
    assert "\n*Allocazione*: *Marta Gallo* su *Apollo Website" in told[0]
    assert told[1].startswith(":tada: Fatto: ")
    assert "Tutta la storia è nel suo thread in <#C0STAFFING>." in told[1]

    shown = posts_to(world, CHANNEL, method="chat.update")[-1]["text"]
    assert shown.startswith(":tada: Done: Allocation: Marta Gallo on ")
    ana_copy = json.dumps(posts_to(world, "D0ANA", method="chat.update")[-1], ensure_ascii=False)
    assert "Approvata da <@U0ANA>" in ana_copy
    assert "Completata" in ana_copy
    irene_copy = json.dumps(posts_to(world, "D0IRENE", method="chat.update")[-1], ensure_ascii=False)
    assert "Approved by <@U0ANA>" in irene_copy
    assert "Approvata" not in irene_copy


async def test_channels_speak_staffdesk_language_and_each_person_their_own(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with running_world(engine, tmp_path, env={"STAFFDESK_LANGUAGE": "it"}) as world:
        form, request_id = await allocate(world, REQUESTER)
        assert '"Allocate"' in form
        assert "Send request" in form
        (message,) = posts_to(world, CHANNEL)
        assert message["text"].startswith(
            ":hourglass_flowing_sand: In attesa di approvazione: Allocazione: Marta Gallo su "
        )
        assert "In attesa di approvazione da <@U0ANA> o <@U0IRENE>" in json.dumps(
            message["blocks"], ensure_ascii=False
        )
        assert dm_texts(world, SECOND_APPROVER)[0].startswith("Approval needed: ")

        message_ts = await approve_and_deliver(world, request_id, SECOND_APPROVER)
        replies = thread(world, message_ts)
        assert replies[0].startswith(":white_check_mark: Approvata da <@U0IRENE>. Staffdesk la sta inviando")
        assert replies[1].startswith(":tada: Fatto: ")
        told = dm_texts(world, REQUESTER)
        assert told[0].startswith(":white_check_mark: <@U0IRENE> approved your request.")
        assert told[1].startswith(":tada: Done: ")
