"""The demo page's rendering of Slack text: Slack's formatting as tags, and nothing from a message as HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.demo.mrkdwn import render_mrkdwn, render_plain, with_html

NAMES = {"U0ANA": "Ana Rossi", "U0MARTA": "Marta <Gallo>"}
CHANNELS = {"C0STAFFING": "staffing"}
ALLOWED = {
    "b": set(),
    "i": set(),
    "s": set(),
    "code": set(),
    "pre": set(),
    "br": set(),
    "blockquote": set(),
    "span": {"class"},
    "a": {"href", "target", "rel"},
}


def render(text: str) -> str:
    return render_mrkdwn(text, NAMES, CHANNELS)


class Tags(HTMLParser):
    """Every tag and attribute in a piece of HTML, and its text as a browser shows it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def parsed(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    return tags


def test_an_injected_script_shows_as_text() -> None:
    html = render("<script>alert(1)</script> &lt;script&gt;alert(2)&lt;/script&gt;")
    tags = parsed(html)
    assert tags.tags == []
    assert tags.text == "<script>alert(1)</script> <script>alert(2)</script>"


def test_an_attribute_cannot_be_slipped_into_a_link() -> None:
    tags = parsed(
        render('<https://x.example/"onmouseover="alert(1)|click> <javascript:alert(1)|js> <https://a b|c>')
    )
    assert tags.tags == [
        (
            "a",
            {
                "href": 'https://x.example/"onmouseover="alert(1)',
                "target": "_blank",
                "rel": "noopener noreferrer",
            },
        )
    ]
    assert tags.text == "click <javascript:alert(1)|js> <https://a b|c>"


def test_slacks_entities_show_as_their_characters_once() -> None:
    assert parsed(render("a &amp; b &lt;i&gt; &amp;lt; &#60;")).text == "a & b <i> &lt; &#60;"
    assert parsed(render("&lt;b&gt;not bold&lt;/b&gt;")).tags == []


def test_formatting_becomes_tags_and_crosses_mentions() -> None:
    html = render("*Waiting for <@U0ANA>* _soon_ ~gone~ `x_y` ```\n*raw*\n```")
    assert html == (
        '<b>Waiting for <span class="mention">@Ana Rossi</span></b> <i>soon</i> <s>gone</s> '
        "<code>x_y</code> <pre>*raw*\n</pre>"
    )


def test_mentions_channels_dates_and_broadcasts_read_as_slack_shows_them() -> None:
    html = render(
        "<@U0MARTA> <@U0NOBODY|olga> <#C0STAFFING> <#C0OTHER|general> <!here> "
        "<!date^1796100000^{date}|Tue 1 Dec>"
    )
    assert parsed(html).text == "@Marta <Gallo> @olga #staffing #general @here Tue 1 Dec"
    assert "<Gallo>" not in html


def test_quotes_and_lines() -> None:
    assert render("Ana wrote:\n&gt;first\n&gt;second\nend") == (
        "Ana wrote:<blockquote>first<br>second</blockquote>end"
    )


def test_known_emoji_names_show_as_emoji_and_others_as_written() -> None:
    assert render(":tada: Done :not_an_emoji:") == "🎉 Done :not_an_emoji:"


def test_plain_text_is_only_text() -> None:
    assert render_plain("<b>*x*</b>\n:tada:") == "&lt;b&gt;*x*&lt;/b&gt;<br>🎉"
    assert render_plain(":tada:", emoji=False) == ":tada:"


def test_every_text_object_gets_its_own_rendering_and_a_given_html_is_replaced() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*", "html": "<script>x</script>"}},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "<Go>"}}]},
    ]
    shown = with_html(blocks, render)
    assert shown[0]["text"]["html"] == "<b>hi</b>"
    assert shown[1]["elements"][0]["text"]["html"] == "&lt;Go&gt;"
    assert blocks[0]["text"]["html"] == "<script>x</script>"  # the original is left as it was


@given(st.text())
def test_no_text_makes_a_tag_or_attribute_of_its_own(text: str) -> None:
    tags = parsed(render(text))
    for tag, attrs in tags.tags:
        assert tag in ALLOWED, tag
        assert set(attrs) <= ALLOWED[tag], attrs
        if tag == "a":
            assert str(attrs["href"]).startswith(("http://", "https://", "mailto:"))
        if tag == "span":
            assert attrs["class"] in {"mention", "channel"}


@given(st.text(alphabet=st.sampled_from(list("<>&;*_~`'\"=/ab@#!^|:\n"))))
def test_markup_characters_alone_never_open_a_script(text: str) -> None:
    html = render(text).lower()
    assert "<script" not in html
    assert all(tag in ALLOWED for tag, _ in parsed(html).tags)
