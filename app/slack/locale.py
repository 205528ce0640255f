"""Who reads in Slack: each request is answered in the locale of the person who acted; words from the
catalog as Slack markup.

In the Slack layer `t` and `n` come from here: they translate like `app.i18n.t` and `app.i18n.n`, and escape
each value they fill in unless it is already `Mrkdwn` (a mention, a date token, markup built before); a
value said below the Slack layer (`app.domain.words`) is put in the reader's language first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.words import Days, Joined, Said, SlackUser, Value
from app.i18n import fill, format_days, format_number, read_as, translate, translate_plural
from app.slack.blocks.escape import Mrkdwn, escape
from app.slack.people import SlackWebPeople, UserLocales

Middleware = Callable[[AsyncBoltContext, Callable[[], Awaitable[None]]], Awaitable[None]]


def _quoted(value: object) -> str:
    if isinstance(value, Said | Joined | SlackUser | Days):
        return markup(value)
    return value if isinstance(value, Mrkdwn) else escape(str(value))


def t(msgid: str, /, **params: object) -> Mrkdwn:
    """`msgid` in the reader's language, as markup: each `{name}` filled with its value, escaped."""
    return Mrkdwn(fill(translate(msgid), params, _quoted))


def n(singular: str, plural: str, count: int, /, **params: object) -> Mrkdwn:
    """`singular` or `plural` as `count` asks in the reader's language, as markup; `{count}` is the number."""
    values = {"count": format_number(count)} | params
    return Mrkdwn(fill(translate_plural(singular, plural, count), values, _quoted))


def markup(value: Value) -> Mrkdwn:
    """Words said below the Slack layer (`app.domain.words`), in the reader's language as markup: text
    escaped, Slack users as mentions, numbers written for the reader."""
    if isinstance(value, Said):
        if value.count is None:
            template = translate(value.msgid)
        else:
            template = translate_plural(value.msgid, value.plural or value.msgid, value.count)
        return Mrkdwn(fill(template, value.params, markup))  # type: ignore[arg-type]
    if isinstance(value, Joined):
        return Mrkdwn(markup(value.between).join(markup(part) for part in value.parts))
    if isinstance(value, SlackUser):
        return Mrkdwn(f"<@{escape(value.id)}>")
    if isinstance(value, Days):
        return escape(format_days(value.days, value.year))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Mrkdwn(format_number(value))
    return value if isinstance(value, Mrkdwn) else escape(str(value))


def read_in_actors_locale(locales: UserLocales) -> Middleware:
    """A Bolt middleware: what the app builds for this request is in the locale of the user who acted (as
    `users.info` tells it), English for a request without a user."""

    async def read_in_locale(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        read_as(await locales.locale_of(context.user_id) if context.user_id else None)
        await next()

    return read_in_locale


def actors_locale(client: AsyncWebClient) -> Middleware:
    """`read_in_actors_locale` with the locales looked up through `client` and cached."""
    return read_in_actors_locale(UserLocales(SlackWebPeople(client)))
