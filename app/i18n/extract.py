"""The msgids the code uses, as Babel's extractor finds them, and the `.po` files kept in step with them.

`python -m app.i18n.extract` adds each new msgid to every `.po` file (untranslated), drops those the code
no longer uses and keeps every translation; then the new entries are translated by hand.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from app.i18n.catalogs import DOMAIN, TRANSLATED, Language, po_path, read_catalog

KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "t": None,
    "n": (1, 2),
    "mark": None,
    "said": None,
    "said_n": (1, 2),
}
APP = Path(__file__).resolve().parents[1]


def extract_messages(root: Path = APP) -> Catalog:
    """Every msgid given literally to `t`, `n`, `mark`, `said` or `said_n` in the modules under `root`."""
    catalog = Catalog(domain=DOMAIN, project="Staffdesk")
    found = extract_from_dir(str(root), method_map=[("**.py", "python")], keywords=KEYWORDS)
    for filename, lineno, message, comments, context in found:
        where = (f"{root.name}/{filename}", lineno)
        catalog.add(message, None, [where], auto_comments=comments, context=context)
    return catalog


def update_catalog(language: Language, root: Path = APP) -> Catalog:
    """`language`'s `.po` file brought in step with the code, written back, and returned."""
    path = po_path(language)
    catalog = read_catalog(language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
    catalog.update(extract_messages(root), no_fuzzy_matching=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, ignore_obsolete=True, include_lineno=False, sort_output=True)
    return catalog


def main() -> None:
    for language in TRANSLATED:
        catalog = update_catalog(language)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{po_path(language)}: {len(catalog)} messages, {len(missing)} to translate")


if __name__ == "__main__":
    main()
