"""The whitelist form's warning for a project whose timesheet whitelist is off in Wethod."""

from __future__ import annotations

from slack_sdk.models.views import View

from app.domain.requests import RequestKind
from app.slack.blocks.common import user
from app.slack.blocks.inputs import Draft
from app.slack.blocks.modals import build_whitelist_modal, whitelist_off_text
from app.slack.ids import Block
from app.slack.metadata import ModalContext

META = ModalContext(kind=RequestKind.WHITELIST, channel_id="C0X")


def _texts(view: dict[str, object]) -> list[str]:
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    return [element["text"] for b in blocks if b["type"] == "context" for element in b["elements"]]


def test_the_warning_names_the_project_and_the_person_escaped() -> None:
    text = whitelist_off_text("Apollo <Website> & Co", "Marta <@U0EVIL>")
    assert text == (
        ":warning: The timesheet whitelist of Apollo &lt;Website&gt; &amp; Co is off in Wethod: adding "
        "Marta &lt;@U0EVIL&gt; changes nothing until a Wethod admin turns it on."
    )


def test_a_mention_is_kept_and_no_person_reads_as_a_person() -> None:
    assert "adding <@U0MARTA> changes nothing" in whitelist_off_text("Apollo", user("U0MARTA"))
    assert "adding a person changes nothing" in whitelist_off_text("Apollo", None)


def test_the_form_shows_the_warning_only_when_given_and_stays_valid() -> None:
    warning = whitelist_off_text("Ünïcødé " * 60, "Marta")
    warned = build_whitelist_modal(Draft(user_id="U0MARTA"), META, warning)
    plain = build_whitelist_modal(Draft(user_id="U0MARTA"), META)
    View(**warned).validate_json()
    assert warning in _texts(warned)
    assert not any(":warning:" in t for t in _texts(plain))


def test_text_that_is_not_markup_is_escaped_by_the_form() -> None:
    view = build_whitelist_modal(Draft(), META, "<!channel> & co")
    assert "&lt;!channel&gt; &amp; co" in _texts(view)


def test_picking_the_person_updates_the_form() -> None:
    view = build_whitelist_modal(Draft(), META)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[Block.PERSON]["dispatch_action"] is True
    assert blocks[Block.PROJECT]["dispatch_action"] is True
