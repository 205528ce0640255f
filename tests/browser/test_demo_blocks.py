"""Block Kit the app does not send today, on the demo page: what the page cannot show is a labelled
placeholder, and a button's confirmation is asked before anything is sent. The stand-in runs here alone,
with no app behind it, so that the test can publish any view with the bot token."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from app.demo.client import SlackClient
from app.demo.outgoing import SignedSender
from app.demo.page import build_stand_in
from app.demo.store import SlackState
from app.demo.web_api import WebApi
from app.demo.workspace import demo_workspace
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company
from tests.browser.conftest import ARTIFACTS, DemoPage, need_chromium

TOKEN = "xoxb-1111111111-2222222222-BlocksPageTokenValue"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(text: str) -> dict[str, Any]:
    return {"text": plain(text), "value": text.lower()}


CONFIRM = {
    "title": plain("Really?"),
    "text": {"type": "mrkdwn", "text": "This *cannot* be undone."},
    "confirm": plain("Delete it"),
    "deny": plain("Keep it"),
}
HOME = {
    "type": "home",
    "blocks": [
        {"type": "header", "text": plain("Everything at once")},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Fields*, and an overflow menu"},
            "fields": [{"type": "mrkdwn", "text": "*A*\none"}, plain("B")],
            "accessory": {"type": "overflow", "action_id": "more", "options": [option("X"), option("Y")]},
        },
        {"type": "image", "image_url": "https://example.com/chart.png", "alt_text": "a chart"},
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "rich"}]}],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "delete",
                    "text": plain("Delete"),
                    "value": "v",
                    "style": "danger",
                    "confirm": CONFIRM,
                },
                {"type": "radio_buttons", "action_id": "radio", "options": [option("One"), option("Two")]},
                {"type": "checkboxes", "action_id": "checks", "options": [option("Red"), option("Green")]},
                {
                    "type": "multi_static_select",
                    "action_id": "days",
                    "options": [option("Mon"), option("Tue")],
                },
                {"type": "datepicker", "action_id": "day", "initial_date": "2026-12-07"},
            ],
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "a context"},
                {"type": "image", "image_url": "https://example.com/i.png", "alt_text": "an icon"},
            ],
        },
    ],
}


@dataclass
class Alone:
    url: str
    stop: threading.Event


@pytest.fixture(scope="module")
def alone() -> Iterator[Alone]:
    """The stand-in alone, served from a thread of its own (the browser is driven from this one)."""
    need_chromium()
    ready: queue.Queue[str] = queue.Queue()
    stop = threading.Event()

    async def serve() -> None:
        state = SlackState(demo_workspace(demo_company()))
        sender = SignedSender("no-app-behind-it")
        client = SlackClient(state, sender, "")
        async with serve_in_background(build_stand_in(state, client, WebApi(state, TOKEN))) as url:
            client.base_url = url
            ready.put(url)
            while not stop.is_set():
                await state.wait_past(state.version, 0.2)
            await state.close()
        await sender.aclose()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    yield Alone(ready.get(timeout=30), stop)
    stop.set()
    thread.join(timeout=30)


def test_what_the_page_cannot_show_is_a_labelled_placeholder_and_confirmations_are_asked(
    browser: WebDriver, alone: Alone
) -> None:
    published = httpx.post(
        f"{alone.url}/api/views.publish",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"user_id": "U0MARTA", "view": HOME},
    ).json()
    assert published["ok"], published
    posted = httpx.post(
        f"{alone.url}/api/chat.postMessage",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={
            "channel": "C0STAFFING",
            "text": "with an old-style attachment",
            "attachments": [{"text": "x"}],
        },
    ).json()
    assert posted["ok"], posted
    shots = ARTIFACTS / "test_what_the_page_cannot_show"
    shots.mkdir(parents=True, exist_ok=True)
    page = DemoPage(browser, alone.url, shots)
    page.load()
    page.become("U0MARTA")
    page.open("C0STAFFING")
    page.shows(
        "#main", "with an old-style attachment", "[message part “attachments”: the demo page cannot show it]"
    )
    page.open("D0MARTA", tab="home")
    page.shows("#main", "Everything at once", "Fields", "a context")
    unsupported = [
        e.get_attribute("data-unsupported")
        for e in page.driver.find_elements(By.CSS_SELECTOR, "#main [data-unsupported]")
    ]
    assert unsupported == ["overflow", "image", "rich_text", "image"]
    assert "[Block Kit block “rich_text”: the demo page cannot show it]" in page.text_of("#main")
    for kind in ("radio_buttons", "checkboxes", "multi_static_select", "datepicker"):
        assert page.driver.find_elements(
            By.CSS_SELECTOR, f'#main [data-type="{kind}"] input, #main [data-type="{kind}"] select'
        )

    page.click("main", "Delete")
    page.shows("#confirm", "Really?", "This cannot be undone.")
    assert page.find("#confirm b").text == "cannot"
    page.shot("a-confirmation-and-placeholders")
    page.click("confirm", "Keep it")
    page.wait(lambda _: not page.find("#confirm").is_displayed())
    assert "delete" not in page.text_of("#notices")
    page.click("main", "Delete")
    page.click("confirm", "Delete it")
    page.shows("#notices", "button delete: the app could not be reached", seconds=5)
