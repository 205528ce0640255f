"""Slack's text formats as safe HTML for the page: everything is escaped first, then only the markup Slack
knows becomes tags (bold, italic, strike, code, quotes, mentions, channels, dates, links). The page puts
only what these functions return into its HTML, so no message text can add a tag, an attribute or a script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

_HOLE, _END = "\ue000", "\ue001"  # around the index of a piece already turned into HTML
_HOLES = re.compile(f"{_HOLE}(\\d+){_END}")
_CONTROL = re.compile(r"<([^<>\n]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_PRE = re.compile(r"```\n?(.+?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
_SPANS = [
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), "b"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), "i"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), "s"),
]
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_BROADCASTS = {"here", "channel", "everyone"}

EMOJI = {
    "+1": "👍",
    "arrows_counterclockwise": "🔄",
    "ballot_box_with_check": "☑️",
    "bell": "🔔",
    "bulb": "💡",
    "calendar": "📆",
    "eyes": "👀",
    "grey_question": "❔",
    "heavy_check_mark": "✔️",
    "heavy_multiplication_x": "✖️",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "incoming_envelope": "📨",
    "mag": "🔍",
    "memo": "📝",
    "no_bell": "🔕",
    "no_entry": "⛔",
    "rotating_light": "🚨",
    "smile": "😄",
    "tada": "🎉",
    "thumbsup": "👍",
    "warning": "⚠️",
    "wave": "👋",
    "white_check_mark": "✅",
    "x": "❌",
    "zzz": "💤",
}


def unescape(text: str) -> str:
    """Slack's three entities back to their characters, in one pass (`&amp;lt;` stays `&lt;`)."""
    return _ENTITY.sub(lambda found: _ENTITIES[found.group(1)], text)


def escaped(text: str) -> str:
    """Slack text (with its entities) as HTML text."""
    return html.escape(unescape(text), quote=True)


class _Pieces:
    """HTML made along the way, kept out of the text (as holes) until the end, so later steps leave it be."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def hole(self, made: str) -> str:
        self.made.append(made)
        return f"{_HOLE}{len(self.made) - 1}{_END}"

    def fill(self, text: str) -> str:
        for _ in range(3):  # a piece may hold holes of its own (a mention inside code)
            text = _HOLES.sub(lambda found: self.made[int(found.group(1))], text)
        return text


def _emoji(text: str) -> str:
    return _EMOJI.sub(lambda found: EMOJI.get(found.group(1), found.group()), text)


def _mention(name: str) -> str:
    return f'<span class="mention">{html.escape(name)}</span>'


def _date(rest: str, fallback: str) -> str:
    if fallback:
        return escaped(fallback)
    stamp = rest.split("^", 1)[0]
    try:
        return html.escape(f"{datetime.fromtimestamp(int(stamp), UTC):%Y-%m-%d %H:%M} UTC")
    except (ValueError, OverflowError, OSError):
        return escaped(f"<!date^{rest}>")


def _control(inner: str, names: Mapping[str, str], channels: Mapping[str, str]) -> str:
    """One `<…>` sequence: a mention, a channel, a date, a broadcast, a link; anything else as text."""
    target, _, label = inner.partition("|")
    if re.fullmatch(r"@[UW][A-Z0-9]+", target):
        return _mention("@" + names.get(target[1:], unescape(label) or target[1:]))
    if re.fullmatch(r"#[CG][A-Z0-9]+", target):
        name = channels.get(target[1:], unescape(label) or target[1:])
        return f'<span class="channel">#{html.escape(name)}</span>'
    if target.startswith("!date^"):
        return _date(target.removeprefix("!date^"), label)
    if target.startswith("!subteam^"):
        return _mention(unescape(label) or "@group")
    if target.startswith("!") and target[1:] in _BROADCASTS:
        return _mention("@" + target[1:])
    url = unescape(target)
    if url.startswith(_LINK_SCHEMES) and not any(c.isspace() for c in url):
        shown = unescape(label) or url.removeprefix("mailto:")
        href = html.escape(url, quote=True)
        return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{html.escape(shown)}</a>'
    return escaped(f"<{inner}>")


def _lines(text: str) -> str:
    """Lines joined with <br>, runs of `>` lines as one quote."""
    parts: list[tuple[bool, str]] = []
    quoted: list[str] = []
    for line in text.split("\n"):
        if line.startswith("&gt;"):
            quoted.append(line.removeprefix("&gt;"))
            continue
        if quoted:
            parts.append((True, "<br>".join(quoted)))
            quoted = []
        parts.append((False, line))
    if quoted:
        parts.append((True, "<br>".join(quoted)))
    out = []
    for index, (quote, line) in enumerate(parts):
        if quote:
            out.append(f"<blockquote>{line}</blockquote>")
            continue
        following = parts[index + 1] if index + 1 < len(parts) else None
        out.append(line + ("<br>" if following is not None and not following[0] else ""))
    return "".join(out)


def render_mrkdwn(text: str, names: Mapping[str, str], channels: Mapping[str, str]) -> str:
    """Slack mrkdwn as HTML: `names` by user id for mentions, `channels` by id for channel links."""
    pieces = _Pieces()
    text = text.replace(_HOLE, "").replace(_END, "")
    text = _CONTROL.sub(lambda found: pieces.hole(_control(found.group(1), names, channels)), text)
    text = html.escape(unescape(text), quote=True)
    text = _PRE.sub(lambda found: pieces.hole(f"<pre>{found.group(1)}</pre>"), text)
    text = _CODE.sub(lambda found: pieces.hole(f"<code>{found.group(1)}</code>"), text)
    text = _emoji(text)
    for pattern, tag in _SPANS:
        text = pattern.sub(rf"<{tag}>\1</{tag}>", text)
    return pieces.fill(_lines(text))


def render_plain(text: str, *, emoji: bool = True) -> str:
    """Slack plain_text as HTML: the text as written, with :emoji: names when asked."""
    shown = html.escape(text, quote=True)
    return (_emoji(shown) if emoji else shown).replace("\n", "<br>")


Renderer = Callable[[str], str]


def with_html(value: Any, mrkdwn: Renderer) -> Any:
    """A copy of a Block Kit structure in which every text object also carries `html`, its safe rendering."""
    if isinstance(value, list):
        return [with_html(item, mrkdwn) for item in value]
    if not isinstance(value, dict):
        return value
    copied = {key: with_html(item, mrkdwn) for key, item in value.items() if key != "html"}
    text = value.get("text")
    if isinstance(text, str) and value.get("type") == "mrkdwn":
        copied["html"] = mrkdwn(text)
    elif isinstance(text, str) and value.get("type") == "plain_text":
        copied["html"] = render_plain(text, emoji=value.get("emoji", True) is not False)
    return copied
