"""The project's own errors, each with a message fit for the person who caused it."""

from __future__ import annotations

from app.domain.status import RequestStatus
from app.domain.words import Said, SlackUser, Value, english, said

__all__ = ["Said", "SlackUser", "StaffdeskError", "Words", "plain"]

Words = tuple["str | SlackUser | Said", ...]


def plain(words: Words) -> str:
    """The words in English, Slack users by their id: for logs."""
    return "".join(english(w) for w in words)


class StaffdeskError(Exception):
    """Base of every error the product knows how to explain.

    `words` is the message in pieces: words said for the reader's catalog (`said`), text, and Slack
    users to be shown as mentions; `field` names the form field the error is about, where there is one
    ("project", "person"). `str(error)` is `log` when given (details for the logs), else the words in
    English."""

    field: str | None = None

    def __init__(self, *words: str | SlackUser | Said, log: str | None = None) -> None:
        self.words: Words = tuple(words)
        super().__init__(plain(self.words) if log is None else log)


class IllegalTransition(StaffdeskError):
    """A state change that the request's life cycle does not allow."""

    def __init__(self, current: RequestStatus, target: RequestStatus) -> None:
        self.current = current
        self.target = target
        super().__init__(
            said(
                "A request that is {current} cannot become {target}; nothing was changed.",
                current=current.words,
                target=target.words,
            ),
            log=f"a request that is {current.label} cannot become {target.label}",
        )


class RequestMovedOn(StaffdeskError):
    """A compare-and-set lost: someone else changed the request first."""

    def __init__(self, request_id: str, expected: RequestStatus, actual: RequestStatus | None) -> None:
        self.request_id = request_id
        self.expected = expected
        self.actual = actual
        now = "no longer exists" if actual is None else f"is now {actual.label}"
        if actual is None:
            words = said("This request no longer exists; nothing was changed.")
        else:
            words = said("This request is already {status}; nothing was changed.", status=actual.words)
        super().__init__(
            words, log=f"request {request_id} has moved on: it was expected {expected.label} but {now}"
        )


class RequestNotFound(StaffdeskError):
    """No request has this id."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(
            said("Staffdesk has no request {request}.", request=request_id),
            log=f"there is no request {request_id}",
        )


class LeaseLost(StaffdeskError):
    """A delivery worker no longer holds the lease on the request it was delivering."""

    def __init__(self, request_id: str, worker: str) -> None:
        self.request_id = request_id
        self.worker = worker
        super().__init__(f"worker {worker} no longer holds the delivery lease on request {request_id}")


class UpstreamUnavailable(StaffdeskError):
    """An upstream could not be read just now; `reason` says why, as the upstream's answer tells it."""

    def __init__(self, upstream: str, reason: str | Said, *, log: str | None = None) -> None:
        self.upstream = upstream
        self.reason = reason
        super().__init__(
            said("{upstream} could not be read: {reason}", upstream=upstream, reason=reason), log=log
        )


class NotAllowed(StaffdeskError):
    """The person may not do this; the message says why, in words for them."""


class NoUpstreamPerson(StaffdeskError):
    """Whether the requester runs the project decides what they need, and they have no person upstream;
    `ask` is whom to ask (`ApprovalContext.whom_to_ask`)."""

    field = "project"

    def __init__(self, upstream: str, email: str | None, ask: Value) -> None:
        self.upstream = upstream
        self.email = email
        self.ask = ask
        if email is None:
            words = said(
                "Slack does not share your e-mail address with Staffdesk, so Staffdesk cannot tell whether "
                "you manage this project; {ask} can add you to {upstream}, or give you the permission for "
                "other people's projects.",
                ask=ask,
                upstream=upstream,
            )
        else:
            words = said(
                "No {upstream} person has your e-mail address ({email}), so Staffdesk cannot tell whether "
                "you manage this project; {ask} can add you to {upstream}, or give you the permission for "
                "other people's projects.",
                ask=ask,
                upstream=upstream,
                email=email,
            )
        super().__init__(words)


class UnknownProject(StaffdeskError):
    """The project is not in the directory (yet)."""

    field = "project"

    def __init__(self, upstream: str, project_id: str) -> None:
        self.upstream = upstream
        self.project_id = project_id
        super().__init__(
            said(
                "Staffdesk does not know {upstream} project {project}. If it was just created, "
                "try again in a few minutes, once the directory has refreshed.",
                upstream=upstream,
                project=project_id,
            )
        )


class ArchivedProject(NotAllowed):
    """Nothing more is staffed on an archived project."""

    field = "project"

    def __init__(self, project: str, upstream: str) -> None:
        super().__init__(
            said(
                "{project} is archived in {upstream}; pick an active project.",
                project=project,
                upstream=upstream,
            )
        )


class NoApprover(StaffdeskError):
    """Nobody who may approve the request can be reached in Slack; `needed` is what approving it needs
    (`permissions_in_words`), `ask` whom to ask (`ApprovalContext.whom_to_ask`)."""

    def __init__(self, needed: Value, ask: Value) -> None:
        self.needed = needed
        self.ask = ask
        super().__init__(
            said(
                "No one in Slack may approve this request: it needs someone who may {needed}, and neither "
                "the project's managers nor the policy's fallback approvers may; {ask} can change who may "
                "approve.",
                needed=needed,
                ask=ask,
            )
        )


class RequestExpired(StaffdeskError):
    """A decision came after the policy's `expire_after`: the request expired instead."""

    def __init__(self, request_id: str, waited: Value) -> None:
        self.request_id = request_id
        self.waited = waited
        super().__init__(
            said(
                "This request waited {waited} without a decision and has expired, so nothing was changed. "
                "The requester can send it again if it is still needed.",
                waited=waited,
            )
        )


class DuplicateSubmission(StaffdeskError):
    """The same Slack submission arrived again while its first copy was being stored."""

    def __init__(self, submission_key: str) -> None:
        self.submission_key = submission_key
        super().__init__(said("This form was already sent; the first copy is kept."))


class ReasonRequired(StaffdeskError):
    """A rejection without a reason."""

    def __init__(self) -> None:
        super().__init__(said("Please say why the request is rejected; the requester sees the reason."))


class NotLess(StaffdeskError):
    """An approval with changes that does not approve less than was asked."""

    def __init__(self, words: Said, field: str = "days") -> None:
        self.field = field
        super().__init__(words)


class StorageUnavailable(StaffdeskError):
    """The database could not be reached or used just now; the attempted change was most likely not saved
    (a connection lost while committing leaves it unknown)."""

    def __init__(self) -> None:
        super().__init__(
            said(
                "Staffdesk cannot reach its database just now, so this was most likely not saved. "
                "Try again in a minute; `/staffing mine` shows what was saved."
            )
        )


class AlreadyAmended(StaffdeskError):
    """An undo or a change of a request that already has one, under way or done (a second click)."""

    def __init__(self, request_id: str, amended_by: str | None) -> None:
        self.request_id = request_id
        self.amended_by = amended_by
        super().__init__(
            said(
                "This request already has an undo or a change under way or done, so nothing more was asked; "
                "its thread tells how it went."
            )
        )


class NotAmendable(StaffdeskError):
    """An undo or a change that cannot be made of this request; the message says why."""

    def __init__(self, words: Said, field: str | None = None) -> None:
        self.field = field
        super().__init__(words)
