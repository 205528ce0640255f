"""Option loads for the project pickers: answered from this process's project index, with no database."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from app.domain.directory import DirectoryProject
from app.domain.upstreams import UPSTREAM_OF_KIND
from app.i18n import t
from app.services.directory_index import DirectoryIndex
from app.services.project_index import ProjectChoice
from app.slack.blocks.common import truncate
from app.slack.errors import reporting_errors
from app.slack.ids import NO_MATCH, Action
from app.slack.metadata import ModalContext, read_metadata

MAX_OPTIONS = 50


def project_option(project: DirectoryProject | ProjectChoice) -> dict[str, Any]:
    label = t("{project} (archived)", project=project.label) if project.archived else project.label
    return {"text": {"type": "plain_text", "text": truncate(label, 75)}, "value": project.upstream_id[:150]}


def no_match_option(typed: str) -> dict[str, Any]:
    """The one option offered when a search finds nothing: it says so, and picking it picks no project."""
    if typed.strip():
        text = t("No project matches “{words}”", words=truncate(typed.strip(), 50))
    else:
        text = t("No projects to pick yet")
    return {"text": {"type": "plain_text", "text": text}, "value": NO_MATCH}


def register(app: AsyncApp, directory: DirectoryIndex) -> None:
    @app.options(Action.PROJECT)
    @reporting_errors
    async def handle_project_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        meta = read_metadata(ModalContext, body["view"]["private_metadata"])
        upstream = meta.upstream or UPSTREAM_OF_KIND[meta.kind]
        found = directory.project_choices(upstream, body.get("value", ""), limit=MAX_OPTIONS)
        await ack(options=[project_option(p) for p in found] or [no_match_option(body.get("value", ""))])
