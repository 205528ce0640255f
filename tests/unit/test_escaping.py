"""Text from people and upstreams reaches Slack as written: never a mention, a link or a hidden character."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import NotAllowed, NoUpstreamPerson, UnknownProject, UpstreamUnavailable
from app.domain.outcomes import (
    AlreadyDone,
    Delivered,
    DeliveryOutcome,
    FieldFailure,
    NeedsOperator,
    Refused,
    RetryLater,
)
from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestKind,
    RequestPayload,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.services.queries import RequestDescription
from app.services.summary import Booking, DailySummary, PersonDay, ProjectDay, Waiting
from app.services.team_week import PersonWeek, TeamWeek, working_week
from app.slack.blocks.common import SlackMessage, user
from app.slack.blocks.decisions import build_reject_modal
from app.slack.blocks.escape import Mrkdwn, escape, markup
from app.slack.blocks.home import build_home, build_my_requests, build_waiting_for_me
from app.slack.blocks.inputs import Choice, Draft
from app.slack.blocks.messages import (
    build_approval_message,
    build_decision_reply,
    build_outcome_reply,
    build_request_message,
    request_summary,
)
from app.slack.blocks.modals import build_allocation_modal, preview_text
from app.slack.blocks.project_person import build_project_person_modal
from app.slack.blocks.summary import build_summary_messages
from app.slack.errors import handle_error
from app.slack.ids import Action
from app.slack.metadata import ModalContext
from tests.factories import a_request

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
REQUESTER, APPROVERS, CHANNEL = "U0REQ", ("U0A", "U0B"), "C0X"
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
MARKS = ["\u200e", "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
CONTROLS = ["\x00", "\x07", "\x1b", "\r", "\x0b", "\x7f", "\x85"]
ATTACKS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<@U0A|the boss>",
    "<#C123>",
    "<https://x|y>",
    "<https://evil.example/login|Click to confirm>",
    "<mailto:a@b.example|me>",
    "<!subteam^S123>",
    "<!date^1^{date}|x>",
    "&",
    "<",
    ">",
    "&lt;!here&gt;",
    "&amp;",
    "*",
    "_",
    "~",
    "`",
    "\n>",
    "|",
    *BIDI,
    *MARKS,
    *ZERO_WIDTH,
    *CONTROLS,
]
PAYLOADS: list[RequestPayload] = [
    AllocationPayload(person_id=1, project_id=2, dates=(date(2026, 12, 1), date(2026, 12, 2)), hours=4),
    WhitelistPayload(project_id=2, person_id=1),
    MissionXProjectPersonPayload(project_id="a" * 24, email="x@y.example", permission="manager"),
    ProcoreProjectPersonPayload(project_id=3, last_name="Rossi"),
]


# The function


def test_slacks_three_control_characters_become_entities() -> None:
    assert escape("Fish & Chips <Ltd> > 3") == "Fish &amp; Chips &lt;Ltd&gt; &gt; 3"


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here> Bianchi", "&lt;!here&gt; Bianchi"),
        ("<@U0BOSS>", "&lt;@U0BOSS&gt;"),
        ("<#C0GENERAL>", "&lt;#C0GENERAL&gt;"),
        (
            "<!channel> <https://evil.example/login|Click to confirm>",
            "&lt;!channel&gt; &lt;https://evil.example/login|Click to confirm&gt;",
        ),
        ("&lt;!here&gt;", "&amp;lt;!here&amp;gt;"),
    ],
)
def test_mentions_links_and_entities_are_shown_as_written(written: str, sent: str) -> None:
    assert escape(written) == sent


@pytest.mark.parametrize("char", BIDI + MARKS, ids=lambda c: f"U+{ord(c):04X}")
def test_bidirectional_overrides_isolates_and_marks_are_dropped(char: str) -> None:
    assert escape(f"Ann{char}a{char}.pdf") == "Anna.pdf"


@pytest.mark.parametrize("char", ZERO_WIDTH, ids=lambda c: f"U+{ord(c):04X}")
def test_zero_width_characters_and_the_byte_order_mark_are_dropped(char: str) -> None:
    assert escape(f"{char}<!he{char}re>") == "&lt;!here&gt;"


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_control_characters_are_dropped(char: str) -> None:
    assert escape(f"Ros{char}si") == "Rossi"


def test_line_feeds_and_tabs_stay() -> None:
    assert escape("first\n\tsecond") == "first\n\tsecond"


def test_everything_else_is_kept_as_written() -> None:
    written = 'Ünïcødé O\'Brien "Q" *bold* _it_ ~st~ `code` :tada: ❤️ 👍🏽 café | # @ ! ^ {x}'
    assert escape(written) == written


def test_escaping_twice_shows_the_entities_of_the_first_escaping() -> None:
    assert escape(escape("<&>")) == "&amp;lt;&amp;amp;&amp;gt;"


def test_markup_escapes_plain_text_and_keeps_markup_and_template() -> None:
    text = markup("*{}* by {}, {} h {}", "<!here> & co", user("U0A"), 4, "{0}")
    assert text == "*&lt;!here&gt; &amp; co* by <@U0A>, 4 h {0}"
    assert isinstance(text, Mrkdwn)


def test_a_name_cannot_leave_its_bold_for_a_mention_or_a_link() -> None:
    desc = description(
        PAYLOADS[3],
        RequestStatus.PENDING_APPROVAL,
        subject="x* <!channel> *y",
        project="*<https://evil.example/login|Confirm>*",
        details="<@U0BOSS>",
    )
    text = request_summary(desc)
    assert "<" not in text
    assert "*x* &lt;!channel&gt; *y*" in text


def test_plain_text_fields_are_not_escaped() -> None:
    written = "<!channel> & Sons"
    draft = Draft(project=Choice("1", written), texts={Action.LAST_NAME: written})
    meta = ModalContext(kind=RequestKind.PROCORE_PROJECT_PERSON, upstream=Upstream.PROCORE)
    modal = build_project_person_modal(draft, meta, [Upstream.PROCORE])
    plain = [t["text"] for t in texts_of(modal, "plain_text")]
    initial = list(values_of(modal, "initial_value"))
    assert written in plain
    assert written in initial


# Every message the app posts


def texts_of(node: Any, kind: str = "mrkdwn") -> Iterator[dict[str, Any]]:
    """Every text object of `kind` in a view, a message's blocks or any part of them."""
    if isinstance(node, dict):
        if node.get("type") == kind and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from texts_of(value, kind)
    elif isinstance(node, list):
        for item in node:
            yield from texts_of(item, kind)


def values_of(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        if key in node:
            yield node[key]
        for value in node.values():
            yield from values_of(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from values_of(item, key)


OWN_MARKUP = re.compile(
    "|".join(
        [
            *(re.escape(f"<@{who}>") for who in (REQUESTER, *APPROVERS)),
            re.escape(f"<#{CHANNEL}>"),
            r"<!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>",
            r"<!date\^\d+\^\{ago\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>",
        ]
    )
)


def hidden(char: str) -> bool:
    return char not in "\n\t" and unicodedata.category(char) in {"Cc", "Cf", "Cs"}


def assert_only_own_markup(text: str) -> None:
    """Every `<` opens a mention or date Staffdesk wrote, every `&` is an entity, nothing is hidden."""
    rest = OWN_MARKUP.sub("", text)
    assert "<" not in rest, text
    assert re.search(r"(?<!\n)>", rest) is None, text
    assert re.search(r"&(?!amp;|lt;|gt;)", rest) is None, text
    assert not any(map(hidden, rest)), text


def assert_posted_safely(*posted: SlackMessage | dict[str, Any] | list[dict[str, Any]]) -> None:
    for item in posted:
        if isinstance(item, SlackMessage):
            assert_only_own_markup(item.text)
            item = item.blocks
        for text in texts_of(item):
            assert_only_own_markup(text["text"])


def description(
    payload: RequestPayload, status: RequestStatus, *, subject: str, project: str, details: str, **fields: Any
) -> RequestDescription:
    decided = status is not RequestStatus.PENDING_APPROVAL
    request = a_request(
        payload,
        status=status,
        requester_id=REQUESTER,
        channel_id=CHANNEL,
        message_ts="1.2",
        approvers=APPROVERS,
        created_at=NOW,
        updated_at=NOW,
        decided_by=APPROVERS[0] if decided else None,
        decided_at=NOW if decided else None,
        next_attempt_at=NOW,
        **fields,
    )
    return RequestDescription(request, subject=subject, project=project, details=details)


words = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=8)), max_size=6).map("".join)
ids = st.lists(words, max_size=3).map(tuple)
descriptions = st.builds(
    description,
    st.sampled_from(PAYLOADS),
    st.sampled_from(list(RequestStatus)),
    subject=words,
    project=words,
    details=words,
    decision_reason=st.none() | words,
)
every_outcome = st.tuples(
    st.builds(Delivered, upstream_ids=ids, summary=words),
    st.builds(AlreadyDone, upstream_ids=ids, summary=words),
    st.builds(
        Refused,
        failures=st.lists(st.builds(FieldFailure, field=words, message=words), max_size=4).map(tuple),
        summary=words,
        upstream_ids=ids,
    ),
    st.builds(RetryLater, reason=words),
    st.builds(NeedsOperator, reason=words, setting=st.none() | words),
)
summaries = st.builds(
    DailySummary,
    day=st.just(date(2026, 11, 23)),
    projects=st.lists(
        st.builds(
            ProjectDay,
            words,
            st.none() | words,
            st.lists(st.builds(Booking, words, st.integers(0, 12)), max_size=3),
        ),
        max_size=3,
    ),
    people=st.lists(st.builds(PersonDay, words, st.integers(0, 12)), max_size=3),
    idle=st.lists(words, max_size=3),
    finished=st.lists(descriptions, max_size=2),
    pending=st.lists(st.builds(Waiting, descriptions, st.just(timedelta(hours=30))), max_size=2),
    problems=st.lists(words, max_size=2),
)
weeks = st.builds(
    TeamWeek,
    st.just(working_week(date(2026, 11, 25))),
    st.lists(st.builds(PersonWeek, words, st.tuples(*[st.integers(0, 12)] * 5)), max_size=3).map(tuple),
    st.integers(0, 5),
    st.none() | words,
)
errors = st.one_of(
    st.builds(NotAllowed, words),
    st.builds(UpstreamUnavailable, words, words),
    st.builds(NoUpstreamPerson, words, st.none() | words, words),
    st.builds(UnknownProject, words, words),
)
CHECKS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CHECKS
@given(desc=descriptions, outcomes=every_outcome, upstream=words)
def test_request_approval_decision_and_outcome_messages_hold_no_markup_but_their_own(
    desc: RequestDescription, outcomes: tuple[DeliveryOutcome, ...], upstream: str
) -> None:
    assert_posted_safely(
        build_request_message(desc),
        build_approval_message(desc),
        build_decision_reply(desc),
        build_reject_modal(desc),
        *(
            build_outcome_reply(desc, outcome, upstream=upstream, next_attempt_at=next_attempt_at)
            for outcome in outcomes
            for next_attempt_at in (NOW, None)
        ),
    )


@CHECKS
@given(
    mine=st.lists(descriptions, max_size=3),
    waiting=st.lists(descriptions, max_size=3),
    week=weeks,
    enabled=st.lists(st.sampled_from(list(Upstream)), unique=True),
)
def test_app_home_and_the_staffing_lists_hold_no_markup_but_their_own(
    mine: list[RequestDescription], waiting: list[RequestDescription], week: TeamWeek, enabled: list[Upstream]
) -> None:
    assert_posted_safely(
        build_home(mine, waiting, enabled=enabled, week=week),
        build_my_requests(mine),
        build_waiting_for_me(waiting),
    )


@CHECKS
@given(summary=summaries)
def test_the_summary_holds_no_markup_but_its_own(summary: DailySummary) -> None:
    top, details = build_summary_messages(summary)
    assert_posted_safely(top, *details)


@CHECKS
@given(problem=words, label=words)
def test_modal_problems_and_previews_hold_no_markup_but_their_own(problem: str, label: str) -> None:
    meta = ModalContext(kind=RequestKind.ALLOCATION, channel_id=CHANNEL)
    draft = Draft(project=Choice("1", label))
    assert_posted_safely(
        build_allocation_modal(draft, meta, preview_text(None, problem)),
        build_allocation_modal(draft, meta, problem),
    )


class Said:
    """A stand-in for Bolt's respond: what the user was told."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, *, text: str, **_: Any) -> None:
        self.texts.append(text)


@CHECKS
@given(error=errors)
def test_errors_told_to_the_user_hold_no_markup(error: Exception) -> None:
    said = Said()
    body = {"response_url": "https://hooks.slack.test/1", "user": {"id": APPROVERS[0]}}
    asyncio.run(handle_error(error, body, client=None, respond=said))  # type: ignore[arg-type]
    assert len(said.texts) == 1
    assert_only_own_markup(said.texts[0])
