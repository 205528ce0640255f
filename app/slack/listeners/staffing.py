"""What /staffing answers, only to the person who asked: help, their requests, approvals, summary, digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.domain.dates import span_text
from app.services import queries
from app.services.absences import AbsenceRefused, come_back, go_away
from app.services.summary_runs import gets_digest, set_digest, summary_for
from app.slack.blocks.common import Blocks, context, joined, truncate
from app.slack.blocks.common import user as user_mention
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.home import HELP, build_my_requests, build_waiting_for_me
from app.slack.blocks.summary import build_summary_messages
from app.slack.deps import SlackDeps
from app.slack.errors import error_markup
from app.slack.text import parse_away

SHOWN_WORD = 30


@dataclass(frozen=True)
class Answer:
    text: Mrkdwn
    blocks: Blocks | None = None


Answering = Callable[[SlackDeps, str, list[str]], Awaitable[Answer]]


def _left_out(answer: Answer, words: list[str]) -> Answer:
    """`answer`, saying first which words after the command it did not use."""
    if not words:
        return answer
    shown = joined((markup("“{}”", truncate(w, SHOWN_WORD)) for w in words[:10]), ", ")
    note = markup(":grey_question: Not understood, so left out: {}.", shown)
    if answer.blocks is None:
        return Answer(markup("{}\n\n{}", note, answer.text))
    return Answer(answer.text, [context(note), *answer.blocks][:50])


async def _help(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    return _left_out(Answer(HELP), words)


async def _mine(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    found = await queries.requests_of(deps.read_uow_factory, user)
    blocks = build_my_requests(
        await queries.describe_all(deps.read_uow_factory, found, deps.approvals.lookups())
    )
    return _left_out(Answer(Mrkdwn("Your requests"), blocks), words)


async def _pending(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    found = await queries.waiting_for(deps.read_uow_factory, user)
    blocks = build_waiting_for_me(
        await queries.describe_all(deps.read_uow_factory, found, deps.approvals.lookups())
    )
    return _left_out(Answer(Mrkdwn("Approvals waiting for you"), blocks), words)


async def _summary(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    summary = await summary_for(deps.summaries, deps.summaries.today(), deps.summaries.channel or "")
    top, details = build_summary_messages(summary)
    blocks = (top.blocks + [b for m in details for b in m.blocks])[:50]
    return _left_out(Answer(top.text, blocks), words)


def digest_state_text(subscribed: bool, at: str) -> Mrkdwn:
    """Whether the daily digest comes, and how to change that."""
    if subscribed:
        return markup(
            ":bell: You get a direct message with your projects' day every working day at {}. "
            "Turn it off with `/staffing digest off`.",
            at,
        )
    return markup(
        ":no_bell: You do not get the daily direct message with your projects' day. "
        "Turn it on with `/staffing digest on`: it comes every working day at {}.",
        at,
    )


async def _digest(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    setting = words[0].lower() if words else None
    if setting in ("on", "off"):
        await set_digest(deps.summaries, user, setting == "on")
        state = "will get" if setting == "on" else "will no longer get"
        said = Mrkdwn(f"You {state} a daily direct message with your projects' day.")
        return _left_out(Answer(said), words[1:])
    state = digest_state_text(await gets_digest(deps.summaries, user), f"{deps.summaries.at:%H:%M}")
    if setting is None:
        return Answer(state)
    unknown = markup(
        ":grey_question: “{}” is not a digest setting: use `on` or `off`.", truncate(words[0], 30)
    )
    return _left_out(Answer(markup("{}\n\n{}", unknown, state)), words[1:])


AWAY_USAGE = (
    "Write it as `/staffing away @someone 2026-12-14..2026-12-18`, or in words: `next week`, "
    "`mon to wed`, `14 dec`, `today`."
)


async def _away(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    read = parse_away(" ".join(words), deps.approvals.today())
    if read.delegate is None or read.start is None or read.end is None:
        missing = "who decides in your place" if read.delegate is None else "the days you are away"
        notes = joined((markup("{}.", note) for note in read.notes), " ")
        said = markup(":grey_question: Say {}. {} {}", missing, notes, AWAY_USAGE)
        return _left_out(Answer(said), list(read.unused))
    try:
        absence, offered = await go_away(deps.approvals, user, read.delegate, read.start, read.end)
    except AbsenceRefused as error:
        return Answer(markup(":warning: {} {}", error_markup(error), AWAY_USAGE))
    waiting = (
        markup(
            " The {} approval{} already waiting for you went to them too.",
            offered,
            "s" if offered > 1 else "",
        )
        if offered
        else Mrkdwn("")
    )
    said = markup(
        ":palm_tree: You are away {}: approvals that would come to you go to {}, when they may decide them "
        "(else to the fallback approvers).{} `/staffing back` ends it.",
        span_text(absence.starts, absence.ends, deps.approvals.today().year),
        user_mention(absence.delegate_id),
        waiting,
    )
    return _left_out(Answer(said), list(read.unused))


async def _back(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    ended = await come_back(deps.approvals, user)
    said = (
        Mrkdwn(":wave: Welcome back: approvals come to you again.")
        if ended
        else Mrkdwn("You were not away: approvals already come to you.")
    )
    return _left_out(Answer(said), words)


ANSWERS: dict[str, Answering] = {
    "help": _help,
    "mine": _mine,
    "pending": _pending,
    "summary": _summary,
    "digest": _digest,
    "away": _away,
    "back": _back,
}


async def staffing_answer(deps: SlackDeps, user: str, text: str) -> Answer:
    """The answer to `/staffing <text>`: help when the text is empty, else what its first word asks for,
    saying which words it did not understand."""
    words = text.split()
    if not words:
        return Answer(HELP)
    answering = ANSWERS.get(words[0].lower())
    if answering is None:
        unknown = markup(":grey_question: “{}” is not a /staffing command.", truncate(" ".join(words), 40))
        return Answer(markup("{}\n\n{}", unknown, HELP))
    return await answering(deps, user, words[1:])
