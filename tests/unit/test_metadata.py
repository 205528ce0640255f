"""Modal private_metadata is signed, and read back only when its signature holds."""

from __future__ import annotations

import json

import pytest

from app.domain.requests import RequestKind
from app.domain.upstreams import Upstream
from app.slack.metadata import (
    FormNotVerified,
    MetadataSigner,
    ModalContext,
    RequestRef,
    dump_metadata,
    read_metadata,
    use_signing_key,
)

SECRET = "unit0signing0secret0abcdef0123456"
CONTEXT = ModalContext(kind=RequestKind.ALLOCATION, channel_id="C0STAFFING", resubmit_of="r-1")


def tampered(signed: str, **changes: str) -> str:
    signature, _, text = signed.partition(".")
    return f"{signature}.{json.dumps(json.loads(text) | changes)}"


def test_signed_metadata_reads_back_as_it_was_made() -> None:
    signer = MetadataSigner(SECRET)
    assert signer.read(ModalContext, signer.sign(CONTEXT)) == CONTEXT
    ref = RequestRef(request_id="r-2")
    assert signer.read(RequestRef, signer.sign(ref)) == ref


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"kind": "whitelist"}, id="kind"),
        pytest.param({"channel_id": "C0ELSEWHERE"}, id="channel"),
        pytest.param({"resubmit_of": "r-someone-else"}, id="resubmit_of"),
        pytest.param({"upstream": Upstream.PROCORE.value}, id="added-field"),
    ],
)
def test_metadata_changed_after_signing_is_refused(changes: dict[str, str]) -> None:
    signer = MetadataSigner(SECRET)
    with pytest.raises(FormNotVerified):
        signer.read(ModalContext, tampered(signer.sign(CONTEXT), **changes))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(CONTEXT.model_dump_json(exclude_none=True), id="plain-json"),
        pytest.param("", id="empty"),
        pytest.param(".{}", id="empty-signature"),
        pytest.param("abc.", id="nothing-signed"),
        pytest.param("sïgnature.{}", id="not-ascii"),
        pytest.param(None, id="not-text"),
    ],
)
def test_metadata_without_a_signature_is_refused(raw: object) -> None:
    with pytest.raises(FormNotVerified):
        MetadataSigner(SECRET).read(ModalContext, raw)


def test_metadata_signed_with_another_key_is_refused() -> None:
    signed = MetadataSigner("another0signing0secret").sign(CONTEXT)
    with pytest.raises(FormNotVerified):
        MetadataSigner(SECRET).read(ModalContext, signed)


def test_metadata_signed_as_one_model_is_not_read_as_another() -> None:
    signer = MetadataSigner(SECRET)
    signed = signer.sign(RequestRef(request_id="r-3"))
    with pytest.raises(FormNotVerified):
        signer.read(ModalContext, signed)


def test_the_refusal_tells_the_user_what_to_do() -> None:
    assert str(FormNotVerified()) == "This form could not be verified; close it and open it again."


def test_the_secret_does_not_appear_in_what_slack_holds() -> None:
    signed = MetadataSigner(SECRET).sign(CONTEXT)
    assert SECRET not in signed
    assert len(signed) < 3000


def test_replicas_configured_with_the_same_secret_read_each_others_metadata() -> None:
    try:
        use_signing_key(SECRET)
        signed = dump_metadata(CONTEXT)
        assert MetadataSigner(SECRET).read(ModalContext, signed) == CONTEXT
        use_signing_key("a-different-secret")
        with pytest.raises(FormNotVerified):
            read_metadata(ModalContext, signed)
    finally:
        use_signing_key("")
