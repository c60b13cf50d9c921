"""Logging: a rotating file in the user's log directory, with secrets scrubbed on the way out.

Redaction happens in the formatter, on the final text (message, arguments and traceback),
so no code path can sneak a token past it: bearer tokens and JWTs, OAuth fields (tokens,
client secrets, authorization codes, PKCE verifiers, ``credential=`` in reprs), passwords
and PINs in JSON, form or query-string form, and long digit runs that look like gift card
numbers (last 4 kept).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

from typing_extensions import override

LOG_FILE_NAME = "posdesk.log"
MAX_BYTES = 2_000_000
BACKUPS = 5

_SECRET_KEYS = (
    r"access_token|refresh_token|id_token|client_secret|code_verifier|password|passwd|"
    r"secret|credential|token|pin|api[_-]?key|authorization|code"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization: Bearer xxx / Basic xxx
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [REDACTED]"),
    # JWTs anywhere (three base64url parts, header starts with eyJ)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[REDACTED-JWT]"),
    # "key": "value" (JSON / repr of dicts)
    (
        re.compile(rf"""(?i)(["']?\b(?:{_SECRET_KEYS})\b["']?\s*[:=]\s*)(["'])(.*?)\2"""),
        r"\1\2[REDACTED]\2",
    ),
    # key=value in query strings and form bodies
    (re.compile(rf"(?i)\b((?:{_SECRET_KEYS})=)[^&\s'\"]+"), r"\1[REDACTED]"),
    # card-like numbers (12-19 digits, spaces/dashes allowed): keep the last four digits
    (re.compile(r"\b(?:\d[ -]?){8,15}(\d{4})\b"), r"••••\1"),
]


def redact(text: str) -> str:
    """Scrub secrets from one piece of log text."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output never contains what ``redact`` recognises."""

    @override
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def default_log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("posdesk", appauthor=False))


def setup_logging(level: str = "INFO", log_dir: Path | None = None, *, stderr: bool = True) -> Path:
    """Configure the root logger; returns the log file path."""
    directory = log_dir or default_log_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOG_FILE_NAME
    root = logging.getLogger()
    teardown_logging()
    formatter = RedactingFormatter(FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    file_handler._posdesk = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if stderr:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(formatter)
        console.setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))
        console._posdesk = True  # type: ignore[attr-defined]
        root.addHandler(console)
    root.setLevel(level.upper())
    # Libraries that log request URLs/headers (qasync: the arguments and results of worker-
    # thread calls, i.e. answers) at DEBUG stay at INFO unless asked for.
    for noisy in ("httpx", "httpcore", "hpack", "asyncio", "qasync", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
    return path


def teardown_logging() -> None:
    """Remove (and close) the handlers ``setup_logging`` installed."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_posdesk", False):
            root.removeHandler(handler)
            handler.close()
