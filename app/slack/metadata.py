"""Small models carried in private_metadata (signed) and button values: never the whole request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from app.domain.errors import StaffdeskError
from app.domain.requests import RequestKind
from app.domain.upstreams import Upstream
from app.domain.words import said

Model = TypeVar("Model", bound=BaseModel)


class ModalContext(BaseModel):
    """Where a request modal was opened from, and what it is for."""

    model_config = ConfigDict(frozen=True)

    kind: RequestKind
    channel_id: str | None = None
    upstream: Upstream | None = None
    resubmit_of: str | None = None
    changes: str | None = None  # the delivered request this form changes
    echo: str | None = None  # what the command text gave, as markup Staffdesk wrote; shown on top


class RequestRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    request_id: str


class FormNotVerified(StaffdeskError):
    """A modal came back with private_metadata that Staffdesk did not sign: changed, or made elsewhere."""

    def __init__(self) -> None:
        super().__init__(said("This form could not be verified; close it and open it again."))


class MetadataSigner:
    """Signs private_metadata with HMAC-SHA256 and reads back only what it signed.

    The signed text is `<signature>.<json>`; the signature covers the model's name and its JSON, under a key
    derived from `secret`, so neither the secret nor the key appears in what Slack holds.
    """

    def __init__(self, secret: str | bytes) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        self._key = hmac.new(raw, b"staffdesk private_metadata", hashlib.sha256).digest()

    def sign(self, model: BaseModel) -> str:
        text = model.model_dump_json(exclude_none=True)
        return f"{self._signature(type(model), text)}.{text}"

    def read(self, model: type[Model], signed: object) -> Model:
        """The `model` in `signed`; FormNotVerified unless this signer signed it as such a model."""
        if not isinstance(signed, str):
            raise FormNotVerified
        signature, _, text = signed.partition(".")
        expected = self._signature(model, text)
        if not text or not hmac.compare_digest(signature.encode(), expected.encode()):
            raise FormNotVerified
        return model.model_validate_json(text)

    def _signature(self, model: type[BaseModel], text: str) -> str:
        digest = hmac.new(self._key, f"{model.__name__}\n{text}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


_signer = MetadataSigner(secrets.token_bytes(32))


def use_signing_key(secret: str) -> None:
    """Sign and read private_metadata with a key derived from `secret` from now on: the Slack signing
    secret, or the bot token where there is none, so that every replica and restart reads what another
    signed. Until then, and for an empty `secret`, the key is this process's own."""
    global _signer
    _signer = MetadataSigner(secret or secrets.token_bytes(32))


def dump_metadata(model: BaseModel) -> str:
    """`model` as signed private_metadata."""
    return _signer.sign(model)


def read_metadata(model: type[Model], signed: object) -> Model:
    """The `model` in a modal's private_metadata; FormNotVerified when its signature does not hold."""
    return _signer.read(model, signed)


def dump(model: BaseModel) -> str:
    """`model` as a button value: unsigned, since every click is checked again on the server."""
    return model.model_dump_json(exclude_none=True)
