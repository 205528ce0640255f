"""Slack messages owed to the people of a request: stored with the change, sent by the outbox."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class NoticeKind(StrEnum):
    """What happened to the request; each kind stands for the messages Slack must show for it."""

    SUBMITTED = "submitted"  # the request's message, and a question to each approver
    DECIDED = "decided"  # every copy shows the decision; a reply in the thread says who decided
    DELIVERY = "delivery"  # every copy shows the state; a reply in the thread gives the upstream's answer
    REMINDED = "reminded"  # a reminder to each approver, pointing at the question they were asked
    APPROVERS_ADDED = "approvers_added"  # a question to each approver added; the requester hears who
    AMENDED = "amended"  # an undo or a change of this request moved on: its message shows it; once done,
    # a reply in its thread says so


class Notice(BaseModel):
    """One stored notice. `progress` remembers what was already posted (by step), so a notice sent again
    after a failure or a crash posts nothing twice."""

    model_config = ConfigDict(frozen=True)

    id: int
    request_id: str
    kind: NoticeKind
    detail: dict[str, object]
    attempts: int
    progress: dict[str, str]
