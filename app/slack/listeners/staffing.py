"""What /staffing answers, only to the person who asked: help, their requests, approvals, summary, digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from app.domain.absences import Absence
from app.i18n import current_reader, format_span
from app.services import queries
from app.services.absences import AbsenceRefused, come_back, go_away
from app.services.summary_runs import gets_digest, set_digest, summary_for
from app.slack.blocks.common import Blocks, context, joined, truncate
from app.slack.blocks.common import user as user_mention
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.home import build_my_requests, build_waiting_for_me, help_text
from app.slack.blocks.summary import build_summary_messages
from app.slack.deps import SlackDeps
from app.slack.errors import error_markup
from app.slack.locale import n, t
from app.slack.text import AwayText, parse_away

SHOWN_WORD = 30


@dataclass(frozen=True)
class Answer:
    text: Mrkdwn
    blocks: Blocks | None = None


Answering = Callable[[SlackDeps, str, list[str]], Awaitable[Answer]]


def left_out_text(words: list[str]) -> Mrkdwn:
    """Which words after the command were not used."""
    shown = joined((markup("“{}”", truncate(w, SHOWN_WORD)) for w in words[:10]), ", ")
    return t(":grey_question: Not understood, so left out: {words}.", words=shown)


def _left_out(answer: Answer, words: list[str]) -> Answer:
    """`answer`, saying first which words after the command it did not use."""
    if not words:
        return answer
    note = left_out_text(words)
    if answer.blocks is None:
        return Answer(markup("{}\n\n{}", note, answer.text))
    return Answer(answer.text, [context(note), *answer.blocks][:50])


async def _help(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    return _left_out(Answer(help_text()), words)


async def _mine(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    found = await queries.requests_of(deps.read_uow_factory, user)
    blocks = build_my_requests(
        await queries.describe_all(deps.read_uow_factory, found, deps.approvals.lookups())
    )
    return _left_out(Answer(t("Your requests"), blocks), words)


async def _pending(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    found = await queries.waiting_for(deps.read_uow_factory, user)
    blocks = build_waiting_for_me(
        await queries.describe_all(deps.read_uow_factory, found, deps.approvals.lookups())
    )
    return _left_out(Answer(t("Approvals waiting for you"), blocks), words)


async def _summary(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    summary = await summary_for(deps.summaries, deps.summaries.today(), deps.summaries.channel or "")
    top, details = build_summary_messages(summary)
    blocks = (top.blocks + [b for m in details for b in m.blocks])[:50]
    return _left_out(Answer(top.text, blocks), words)


def digest_state_text(subscribed: bool, at: str) -> Mrkdwn:
    """Whether the daily digest comes, and how to change that."""
    if subscribed:
        return t(
            ":bell: You get a direct message with your projects' day every working day at {time}. "
            "Turn it off with `/staffing digest off`.",
            time=at,
        )
    return t(
        ":no_bell: You do not get the daily direct message with your projects' day. "
        "Turn it on with `/staffing digest on`: it comes every working day at {time}.",
        time=at,
    )


def digest_set_text(on: bool) -> Mrkdwn:
    if on:
        return t("You will get a daily direct message with your projects' day.")
    return t("You will no longer get a daily direct message with your projects' day.")


def not_a_digest_setting_text(word: str) -> Mrkdwn:
    return t(":grey_question: “{word}” is not a digest setting: use `on` or `off`.", word=truncate(word, 30))


async def _digest(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    setting = words[0].lower() if words else None
    if setting in ("on", "off"):
        await set_digest(deps.summaries, user, setting == "on")
        return _left_out(Answer(digest_set_text(setting == "on")), words[1:])
    state = digest_state_text(await gets_digest(deps.summaries, user), f"{deps.summaries.at:%H:%M}")
    if setting is None:
        return Answer(state)
    return _left_out(Answer(markup("{}\n\n{}", not_a_digest_setting_text(words[0]), state)), words[1:])


def away_usage_text() -> Mrkdwn:
    return t(
        "Write it as `/staffing away @someone 2026-12-14..2026-12-18`, or in words: `next week`, "
        "`mon to wed`, `14 dec`, `today`."
    )


def away_unread_text(read: AwayText) -> Mrkdwn:
    """What `/staffing away` still needs to be told: who decides, or which days."""
    notes = joined((markup("{}.", note) for note in read.notes), " ")
    if read.delegate is None:
        return t(
            ":grey_question: Say who decides in your place. {notes} {usage}",
            notes=notes,
            usage=away_usage_text(),
        )
    return t(
        ":grey_question: Say the days you are away. {notes} {usage}", notes=notes, usage=away_usage_text()
    )


def away_set_text(absence: Absence, offered: int, today: date) -> Mrkdwn:
    """The absence as set, and how many approvals already waiting went to the delegate."""
    waiting = (
        markup(
            " {}",
            n(
                "The {count} approval already waiting for you went to them too.",
                "The {count} approvals already waiting for you went to them too.",
                offered,
            ),
        )
        if offered
        else Mrkdwn("")
    )
    return t(
        ":palm_tree: You are away {days}: approvals that would come to you go to {delegate}, when they may "
        "decide them (else to the fallback approvers).{waiting} `/staffing back` ends it.",
        days=format_span(absence.starts, absence.ends, today.year),
        delegate=user_mention(absence.delegate_id),
        waiting=waiting,
    )


async def _away(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    read = parse_away(" ".join(words), deps.approvals.today(), current_reader().locale)
    if read.delegate is None or read.start is None or read.end is None:
        return _left_out(Answer(away_unread_text(read)), list(read.unused))
    try:
        absence, offered = await go_away(deps.approvals, user, read.delegate, read.start, read.end)
    except AbsenceRefused as error:
        return Answer(markup(":warning: {} {}", error_markup(error), away_usage_text()))
    said = away_set_text(absence, offered, deps.approvals.today())
    return _left_out(Answer(said), list(read.unused))


def back_text(ended: bool) -> Mrkdwn:
    if ended:
        return t(":wave: Welcome back: approvals come to you again.")
    return t("You were not away: approvals already come to you.")


async def _back(deps: SlackDeps, user: str, words: list[str]) -> Answer:
    ended = await come_back(deps.approvals, user)
    return _left_out(Answer(back_text(ended is not None)), words)


ANSWERS: dict[str, Answering] = {
    "help": _help,
    "mine": _mine,
    "pending": _pending,
    "summary": _summary,
    "digest": _digest,
    "away": _away,
    "back": _back,
}


def unknown_command_text(text: str) -> Mrkdwn:
    """The words are no /staffing command: said, then the help."""
    unknown = t(":grey_question: “{words}” is not a /staffing command.", words=truncate(text, 40))
    return markup("{}\n\n{}", unknown, help_text())


async def staffing_answer(deps: SlackDeps, user: str, text: str) -> Answer:
    """The answer to `/staffing <text>`: help when the text is empty, else what its first word asks for,
    saying which words it did not understand."""
    words = text.split()
    if not words:
        return Answer(help_text())
    answering = ANSWERS.get(words[0].lower())
    if answering is None:
        return Answer(unknown_command_text(" ".join(words)))
    return await answering(deps, user, words[1:])
