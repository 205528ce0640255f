"""A request modal filled in from the command text: its project found in the directory, and what it said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.domain.directory import DirectoryProject
from app.domain.upstreams import Upstream
from app.i18n import t
from app.services.directory import search_projects
from app.services.ports import UnitOfWorkFactory
from app.slack.blocks.common import truncate
from app.slack.blocks.echo import command_echo_text
from app.slack.blocks.inputs import Choice, Draft
from app.slack.metadata import ModalContext
from app.slack.text import Prefill

SEARCHED_WORDS = 8


async def _match(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, words: Sequence[str]
) -> tuple[DirectoryProject, list[str]] | None:
    """The project that the most of `words` find together, taken in order: each word is kept when the words
    kept so far and it still find a project (active ones first). Also the words not kept."""
    kept: list[str] = []
    left: list[str] = []
    project: DirectoryProject | None = None
    for word in words:
        found = await search_projects(uow_factory, upstream, " ".join([*kept, word]), limit=1)
        if found:
            kept.append(word)
            project = found[0]
        else:
            left.append(word)
    return (project, left) if project else None


async def with_project(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, prefill: Prefill
) -> tuple[Prefill, Choice | None]:
    """`prefill` with its project words looked up: the active project they name, and the words it does not
    need left as unused; or a note when they name no project, or only archived ones."""
    words = prefill.project_words[:SEARCHED_WORDS]
    if not words:
        return prefill, None
    match = await _match(uow_factory, upstream, words)
    if match is None:
        note = t("no project matches “{words}”", words=truncate(prefill.project_query, 40))
        return replace(prefill, project_words=(), notes=(*prefill.notes, note)), None
    project, left = match
    unused = (*prefill.unused, *left, *prefill.project_words[SEARCHED_WORDS:])
    if project.archived:
        shown = truncate(" ".join(w for w in words if w not in left), 40)
        note = t(
            "“{words}” finds only archived projects, so the project is left for you to pick", words=shown
        )
        return replace(prefill, project_words=(), unused=unused, notes=(*prefill.notes, note)), None
    return replace(prefill, project_words=(), unused=unused), Choice(project.upstream_id, project.label)


def draft_of(prefill: Prefill, project: Choice | None = None) -> Draft:
    hours = str(prefill.hours) if prefill.hours is not None else None
    return Draft(
        user_id=prefill.user_id,
        project=project,
        start=prefill.start,
        end=prefill.end,
        hours=hours,
        more=prefill.more,
    )


def echoed(meta: ModalContext, prefill: Prefill, project: Choice | None = None) -> ModalContext:
    """`meta` carrying what the command text gave, so that the form shows it on top as long as it is open."""
    return meta.model_copy(update={"echo": command_echo_text(prefill, project.label if project else None)})
