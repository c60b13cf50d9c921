"""One exception family for everything that can go wrong talking to the POS.

Every error carries ``user_message`` (one plain sentence the UI may show as is) and
``details`` (technical text for the log; never secrets). Callers branch on the class
(which mirrors ``errors[].extensions.code``), never on message text.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from typing_extensions import override


class PosError(Exception):
    """Base of every posdesk.api failure."""

    default_message = "The POS server request failed."

    def __init__(self, user_message: str | None = None, details: str = "") -> None:
        self.user_message = user_message or self.default_message
        self.details = details
        super().__init__(self.user_message)

    @override
    def __str__(self) -> str:
        return f"{self.user_message} ({self.details})" if self.details else self.user_message


class NetworkError(PosError):
    """The server could not be reached or the connection broke (transient: reads retry)."""

    default_message = "Cannot reach the POS server. Check the network connection."


class RequestTimeout(NetworkError, builtins.TimeoutError):  # noqa: N818 (names of the documented error family)
    """No answer in time. For a write this is never raised alone: see UnknownOutcome."""

    default_message = "The POS server did not answer in time."


class TlsError(NetworkError):
    """The server's certificate could not be verified (never retried, never bypassed)."""

    default_message = (
        "The POS server's certificate could not be verified. "
        "Check the address or the CA bundle in the connection profile."
    )


class InsecureUrlError(PosError):
    """A plain-http URL to a non-loopback host: refused before any byte is sent."""

    default_message = "The POS address must use https:// (plain http is only allowed locally)."


class HttpStatusError(PosError):
    """The server answered with an HTTP error status and no usable GraphQL body."""

    def __init__(
        self, status_code: int, details: str = "", user_message: str | None = None
    ) -> None:
        self.status_code = status_code
        transient = status_code in TRANSIENT_STATUS
        message = user_message or (
            f"The POS server is temporarily unavailable (HTTP {status_code}). Try again shortly."
            if transient
            else f"The POS server returned an error (HTTP {status_code})."
        )
        super().__init__(message, details)


TRANSIENT_STATUS = frozenset({502, 503, 504})


class InvalidResponseError(PosError):
    """Not a GraphQL answer: an HTML page, broken JSON, or a body without ``data``."""

    default_message = "The POS server sent an answer posdesk cannot read."


class NotAuthenticated(PosError):  # noqa: N818 (names of the documented error family)
    """The server refused the token (``NOT_AUTHENTICATED``); the client renews once and retries."""

    default_message = "The POS server did not accept the sign-in."


class SignInRequired(NotAuthenticated):
    """The grant is dead (expired, revoked, refused in the browser): signing in again fixes it.

    ``reason`` is the OAuth error code when the token endpoint gave one (``invalid_grant``,
    ``access_denied``), else ""."""

    default_message = "Your sign-in has expired. Sign in again."

    def __init__(
        self, user_message: str | None = None, details: str = "", *, reason: str = ""
    ) -> None:
        self.reason = reason
        super().__init__(user_message or SIGN_IN_MESSAGES.get(reason), details)


class SignInRefused(PosError):  # noqa: N818 (names of the documented error family)
    """The token endpoint refused this connection itself (wrong client id or secret, a client
    not allowed this sign-in, a scope it may not have): signing in again cannot fix it, the
    connection profile or the server's client registration must change. ``reason`` is the
    OAuth error code (``invalid_client``, ``unauthorized_client``, ``invalid_scope``, ...)."""

    default_message = (
        "The POS server refused posdesk's sign-in request. Check the connection profile."
    )

    def __init__(
        self, user_message: str | None = None, details: str = "", *, reason: str = ""
    ) -> None:
        self.reason = reason
        super().__init__(user_message or SIGN_IN_MESSAGES.get(reason), details)


#: One sentence per OAuth error code the token endpoint can answer (RFC 6749 §5.2).
SIGN_IN_MESSAGES: dict[str, str] = {
    "invalid_client": "The POS server did not accept the client id or client secret. "
    "Check them in the connection profile.",
    "unauthorized_client": "This client id is not allowed to sign in this way on the POS "
    "server. Check the sign-in method in the connection profile or ask an administrator.",
    "unsupported_grant_type": "The POS server does not offer this sign-in method. Check the "
    "sign-in method in the connection profile.",
    "invalid_scope": "The POS server refused the access posdesk asks for (scope). Ask an "
    "administrator to allow it for this client.",
    "invalid_grant": "Your sign-in has expired or was revoked. Sign in again.",
    "access_denied": "Sign-in was cancelled or refused. Sign in again to continue.",
}

#: Which OAuth error codes mean "sign in again" (the rest mean "fix the connection").
SIGN_IN_AGAIN_REASONS = frozenset({"invalid_grant", "access_denied"})


class NotAuthorized(PosError):  # noqa: N818 (names of the documented error family)
    """``NOT_AUTHORIZED``: authenticated, but the role lacks a permission."""

    def __init__(self, permission: str | None = None, details: str = "") -> None:
        self.permission = permission
        message = (
            f"Your role lacks the permission {permission}. Ask an administrator to grant it."
            if permission
            else "Your role lacks the permission for this action. Ask an administrator."
        )
        super().__init__(message, details)


#: Sentences for the validator names POS reports in ``extensions.data.ValidationType``
#: (FluentValidation names; ``NotEmptyValidator`` is documented). ``{field}`` is the input.
VALIDATION_MESSAGES: dict[str, str] = {
    "NotEmptyValidator": "{field} is required.",
    "PinValidator": "The PIN is wrong.",
    "ExpiredCodeValidator": "This gift card code has expired.",
    "InsufficientFundsValidator": "The gift card's available balance is too low.",
    "NotFoundValidator": "Nothing was found for this {field}.",
    "UniqueCodeValidator": "This {field} is already in use.",
    "OwnerValidator": "A gift card's owner cannot be changed.",
    "MemberValidator": "No member has this id.",
    "AmbiguousCodeValidator": "The code exists in several code types: choose the code type.",
    "TransStatusValidator": "The transaction is no longer authorized (already captured or "
    "cancelled).",
    "LocationValidator": "Unknown store code.",
    "ScalePrecisionValidator": "{field} has too many decimals.",
    "GreaterThanValidator": "{field} must be positive.",
    "LessThanValidator": "{field} must be negative.",
    "NotEqualValidator": "{field} must not be zero.",
    "CursorValidator": "The saved sync position is no longer valid.",
}


def humanize(field: str) -> str:
    """``PhysicalCode`` / ``physicalCode`` → ``physical code``."""
    words: list[str] = []
    current = ""
    for char in field:
        if char.isupper() and current:
            words.append(current)
            current = char
        else:
            current += char
    words.append(current)
    return " ".join(w.lower() for w in words if w)


class ValidationError(PosError):
    """``VALIDATION``: the input was rejected; ``field`` names the offending input if known."""

    def __init__(
        self,
        field: str | None = None,
        data: Mapping[str, Any] | None = None,
        user_message: str | None = None,
        details: str = "",
    ) -> None:
        self.field = field
        self.data: Mapping[str, Any] = data or {}
        if user_message is None:
            kind = self.data.get("ValidationType")
            template = VALIDATION_MESSAGES.get(kind) if isinstance(kind, str) else None
            label = humanize(field) if field else "the value"
            if template is not None:
                user_message = template.format(field=label)
                user_message = user_message[0].upper() + user_message[1:]
            elif field:
                user_message = f"The POS server rejected the {label}."
            else:
                user_message = "The POS server rejected the input."
        super().__init__(user_message, details)


class FusionError(PosError):
    """``FUSION_ERROR``: a generic server-side failure."""

    default_message = "The POS server reported an internal error."


class UnknownServerError(FusionError):
    """An ``extensions.code`` posdesk does not know: treated like FUSION_ERROR, code kept."""

    def __init__(self, code: str | None, details: str = "") -> None:
        self.code = code
        super().__init__(f"The POS server reported an error ({code or 'no code'}).", details)


class UnknownOutcome(PosError):  # noqa: N818 (names of the documented error family)
    """A write was sent but no answer arrived: it may or may not have happened.

    The journal keeps the entry; ``reconcile`` looks the reference up before anything
    is retried. Never resend on this error.
    """

    def __init__(self, reference: str, details: str = "") -> None:
        self.reference = reference
        super().__init__(
            "The POS server did not confirm the operation. posdesk is checking whether it "
            f"went through (reference {reference}); do not repeat it.",
            details,
        )


class NeedsReview(PosError):  # noqa: N818 (names of the documented error family)
    """A write's outcome cannot be checked automatically on this server: a manager must look."""

    def __init__(self, reference: str, details: str = "") -> None:
        self.reference = reference
        super().__init__(
            f"posdesk cannot check whether operation {reference} went through on this server. "
            "A manager must check it in the POS admin console before anything is repeated.",
            details,
        )


class DuplicateReference(PosError):  # noqa: N818 (names of the documented error family)
    """The reference (refNo / transactionId) was already used from this machine."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"Reference {reference} was already recorded from this computer; it is not sent twice.",
        )


class FeatureUnavailable(PosError):  # noqa: N818 (names of the documented error family)
    """The connected server's schema lacks what this feature needs."""

    def __init__(self, feature: str, details: str = "") -> None:
        self.feature = feature
        super().__init__(f"This POS server does not support {feature.replace('_', ' ')}.", details)


class ConfigurationError(PosError):
    """The connection profile or local setup is unusable (e.g. no OS keychain)."""

    default_message = "The connection settings are incomplete."


def validation_field(data: Mapping[str, Any] | None) -> str | None:
    """The offending input field from ``extensions.data`` (documented as ``Property``)."""
    if not data:
        return None
    for key in ("Property", "property", "field"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def from_graphql_error(error: Mapping[str, Any]) -> PosError:
    """Map one ``errors[]`` element to an exception by ``extensions.code``."""
    extensions = error.get("extensions")
    ext = extensions if isinstance(extensions, Mapping) else {}
    code = ext.get("code")
    raw_data = ext.get("data")
    data: Mapping[str, Any] = raw_data if isinstance(raw_data, Mapping) else {}
    path = error.get("path")
    details = f"{code}: {error.get('message', '')}" + (f" at {path}" if path else "")
    if code == "NOT_AUTHENTICATED":
        return NotAuthenticated(details=details)
    if code == "NOT_AUTHORIZED":
        permission = data.get("Permission") or data.get("permission")
        return NotAuthorized(permission if isinstance(permission, str) else None, details)
    if code == "VALIDATION":
        return ValidationError(validation_field(data), data, details=details)
    if code == "FUSION_ERROR":
        return FusionError(details=details)
    return UnknownServerError(code if isinstance(code, str) else None, details)


class NotFound(PosError):  # noqa: N818 (names of the documented error family)
    """A look-up by exact id/SKU found nothing (or nothing visible to this role)."""

    default_message = "Not found."
