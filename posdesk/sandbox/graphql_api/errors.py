"""GraphQL errors with a formal ``extensions.code``, and ariadne's ``error_formatter``.

Codes: ``NOT_AUTHENTICATED``, ``NOT_AUTHORIZED`` (``data.Permission`` names the missing
permission), ``VALIDATION`` (``data.ValidationType`` and ``data.Property``), ``FUSION_ERROR``
(anything unexpected), ``GRAPHQL_VALIDATION_FAILED`` (malformed documents).
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError


class ApiError(Exception):
    """An error with a formal ``extensions.code`` (raised by resolvers)."""

    def __init__(self, code: str, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


def not_authenticated() -> ApiError:
    return ApiError("NOT_AUTHENTICATED", "Authentication required: send a valid bearer token.")


def not_authorized(permission: str) -> ApiError:
    return ApiError(
        "NOT_AUTHORIZED",
        f"The caller lacks the permission {permission}.",
        {"Permission": permission},
    )


def validation(validation_type: str, prop: str, message: str) -> ApiError:
    return ApiError("VALIDATION", message, {"ValidationType": validation_type, "Property": prop})


class ScalarValidationError(ValueError):
    """A custom scalar rejected its input; reported as ``VALIDATION``."""

    def __init__(self, validation_type: str, message: str) -> None:
        super().__init__(message)
        self.validation_type = validation_type


def pascal(name: str) -> str:
    """``firstName`` → ``FirstName``: how the server names a property in errors."""
    return name[:1].upper() + name[1:]


def pascal_case(snake: str) -> str:
    """``physical_code_expires_on`` → ``PhysicalCodeExpiresOn`` (ariadne's names → errors)."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def _property_of(error: GraphQLError) -> str:
    match = re.search(r"at '([\w.\[\]]+)'", error.message)
    if match:
        return pascal(re.sub(r"\[\d+\]", "", match.group(1)).split(".")[-1])
    match = re.search(r"Variable '\$(\w+)'", error.message)
    if match:
        return pascal(match.group(1))
    if error.nodes and error.source and error.nodes[0].loc:
        before = error.source.body[: error.nodes[0].loc.start]
        match = re.search(r"(\w+)\s*:\s*$", before)
        if match:
            return pascal(match.group(1))
    return "Value"


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """ariadne ``error_formatter``: every error gets ``extensions.code`` (see module doc)."""
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    while isinstance(original, GraphQLError):  # unwrap to the root cause, if there is one
        original = original.original_error
    extensions: dict[str, Any]
    if isinstance(original, ApiError):
        extensions = {"code": original.code}
        if original.data is not None:
            extensions["data"] = original.data
    elif isinstance(original, ScalarValidationError):
        extensions = {
            "code": "VALIDATION",
            "data": {
                "ValidationType": original.validation_type,
                "Property": _property_of(error),
            },
        }
    elif original is None:
        missing = re.search(
            r"Field '(\w+)' of required type '[^']+' was not provided", error.message
        )
        if missing:
            extensions = {
                "code": "VALIDATION",
                "data": {"ValidationType": "NotEmptyValidator", "Property": pascal(missing[1])},
            }
        else:
            extensions = {"code": "GRAPHQL_VALIDATION_FAILED"}
    else:
        extensions = {"code": "FUSION_ERROR"}
        formatted["message"] = "Unexpected server error." + (f" {original!r}" if debug else "")
    formatted["extensions"] = extensions
    return formatted
