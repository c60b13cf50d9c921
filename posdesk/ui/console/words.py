"""Console errors in plain words, with the raw error kept one click away.

``NOT_AUTHORIZED`` names the permission, ``VALIDATION`` the field, a network failure says so;
a refused mutation names the tab that does the job properly (money always goes through the
journal there). The raw text is the error's technical details (never secrets).
"""

from __future__ import annotations

from posdesk.api.adhoc import QuerySyntaxError, ReadOnlyRefused
from posdesk.api.errors import (
    HttpStatusError,
    InvalidResponseError,
    NetworkError,
    NotAuthenticated,
    NotAuthorized,
    PosError,
    UnknownServerError,
    ValidationError,
    humanize,
)

#: Root mutation fields → where posdesk does that job properly.
MUTATION_HOMES: dict[str, str] = {
    "giftcardAdd": "the Gift Cards tab (Issue card)",
    "giftcardEdit": "the Gift Cards tab (Edit codes)",
    "giftcardTransAdd": "the Gift Cards tab (Top up / Redeem / Adjust)",
    "giftcardTransCapture": "the Gift Cards tab (Capture)",
    "giftcardTransCancel": "the Gift Cards tab (Cancel authorization)",
    "purchaseAdd": "Sales › Record purchase…",
    "terminalPayment": "the Gift Cards tab (Issue card, paid on the terminal)",
}


def refusal(exc: ReadOnlyRefused) -> str:
    """Why a mutation was not sent, and where to do it instead."""
    homes = [MUTATION_HOMES[f] for f in exc.root_fields if f in MUTATION_HOMES]
    fields = ", ".join(exc.root_fields) or exc.operation
    where = (
        f"Use {' or '.join(dict.fromkeys(homes))}, which records it in the journal so that "
        "nothing is done twice."
        if homes
        else "Use the tab that does this job; changes are never made from here."
    )
    return (
        f"Not sent: the Query console only reads data, and {fields} would change it "
        f"({exc.operation}). {where}"
    )


def explain(exc: BaseException) -> tuple[str, str]:
    """(plain sentence, raw error text) for a failed run."""
    details = getattr(exc, "details", "") or str(exc)
    raw = f"{type(exc).__name__}: {details}"
    if isinstance(exc, ReadOnlyRefused):
        return refusal(exc), raw
    if isinstance(exc, QuerySyntaxError):
        return f"Not sent: {exc.user_message}", raw
    if isinstance(exc, NotAuthorized):
        if exc.permission:
            return (
                f"Your role lacks the permission {exc.permission}, so the server refused this "
                "query. Ask an administrator to grant it, or leave out what needs it.",
                raw,
            )
        return exc.user_message, raw
    if isinstance(exc, ValidationError):
        label = f"the {humanize(exc.field)} ({exc.field})" if exc.field else "an argument"
        return f"The server rejected {label}: {exc.user_message}", raw
    if isinstance(exc, NotAuthenticated):
        return f"{exc.user_message} Then run the query again.", raw
    if isinstance(exc, NetworkError):
        return f"Network failure: {exc.user_message}", raw
    if isinstance(exc, UnknownServerError) and exc.code == "GRAPHQL_VALIDATION_FAILED":
        message = details.split(": ", 1)[1] if ": " in details else details
        return f"The server did not accept the query: {message}", raw
    if isinstance(exc, HttpStatusError | InvalidResponseError | PosError):
        return exc.user_message, raw
    return "Something went wrong in posdesk while running the query. Details are in the log.", raw
