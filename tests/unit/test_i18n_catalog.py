"""The Italian catalog matches the code: every msgid the code uses (as Babel's extractor finds them under
app/) is translated, none is left that the code no longer uses, and each translation keeps the
placeholders, emoji and commands of its msgid."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog, Message

from app.i18n import placeholders, reading_as, t
from app.i18n.catalogs import TRANSLATED, Language, read_catalog
from app.i18n.extract import APP, KEYWORDS, extract_messages

CODE = extract_messages()
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")
_COMMAND = re.compile(r"`(/[^`]*)`")


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _commands(text: str) -> list[str]:
    """Each slash command in backticks with the words that name what it does: "/staffing digest on"."""
    found = []
    for span in _COMMAND.findall(text):
        words = []
        for word in span.split():
            if not re.fullmatch(r"/?[a-z][a-z-]*", word):
                break
            words.append(word)
        found.append(" ".join(words))
    return sorted(found)


@pytest.fixture(params=TRANSLATED)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    language: Language = request.param
    return read_catalog(language)


def test_the_code_uses_the_catalog() -> None:
    assert len(list(_messages(CODE))) > 40
    assert "Your requests" in {_key(m) for m in _messages(CODE)}


def _built_msgids() -> Iterator[str]:
    """Where a msgid given to `t`, `n` or `mark` is built at run time, which no catalog can hold."""
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            built = isinstance(node.args[0], ast.JoinedStr | ast.BinOp) or (
                isinstance(node.args[0], ast.Call) and getattr(node.args[0].func, "attr", None) == "format"
            )
            if name in KEYWORDS and built:
                yield f"{path.relative_to(APP.parent)}:{node.lineno}"


def test_no_msgid_is_built_at_run_time() -> None:
    assert list(_built_msgids()) == []


def test_every_message_of_the_code_is_translated(catalog: Catalog) -> None:
    missing = []
    for message in _messages(CODE):
        translated = catalog.get(message.id)
        if translated is None or translated.fuzzy or not all(_forms(translated)):
            missing.append(_key(message))
        elif _ids(translated) != _ids(message):
            missing.append(f"{_key(message)} (its plural changed)")
    assert missing == []


def test_the_catalog_keeps_no_message_the_code_does_not_use(catalog: Catalog) -> None:
    used = {_key(m) for m in _messages(CODE)}
    assert [_key(m) for m in _messages(catalog) if _key(m) not in used] == []
    assert not catalog.obsolete


def test_each_translation_has_the_placeholders_of_its_message(catalog: Catalog) -> None:
    wrong = []
    for message in _messages(catalog):
        wanted = frozenset().union(*(placeholders(i) for i in _ids(message)))
        for form in _forms(message):
            have = placeholders(form)
            plural_without_count = isinstance(message.id, tuple) and have == wanted - {"count"}
            if have != wanted and not plural_without_count:
                wrong.append((_key(message), form))
    assert wrong == []


def test_each_translation_keeps_the_emoji_and_the_commands_of_its_message(catalog: Catalog) -> None:
    wrong = []
    for message in _messages(catalog):
        for form in _forms(message):
            for find in (_EMOJI.findall, _commands):
                if sorted(find(form)) != sorted(find(_ids(message)[-1])):
                    wrong.append((_key(message), form))
    assert wrong == []


def test_italian_has_two_plural_forms() -> None:
    assert read_catalog("it").plural_forms == "nplurals=2; plural=(n != 1);"


def test_the_app_reads_the_italian_catalog() -> None:
    with reading_as("it"):
        assert t("Your requests") == "Le tue richieste"
