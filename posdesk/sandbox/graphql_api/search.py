"""Word search over the token tables (``customer_token``, ``item_token``)."""

from __future__ import annotations

import re

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.paging import Query


def search_words(search: str) -> list[str]:
    compact = re.sub(r"[\s()\-.+]", "", search)
    if compact.isdigit() and len(compact) >= 3:  # a phone number typed with spaces
        search = compact
    words = []
    for word in search.lower().split():
        digits = re.sub(r"[()\-.+]", "", word)
        if digits.isdigit() and len(digits) >= 3:
            if len(digits) == 11 and digits.startswith("1"):  # +1 country code
                digits = digits[1:]
            word = digits
        words.append(word)
    return words


DENSE_PREFIX = 2000
"""A search word matching at least this many tokens is 'dense' (see :func:`_token_filter`)."""


def token_filter(db: Database, q: Query, table: str, key: str, search: str | None) -> None:
    """Every word of ``search`` must be a prefix of one of the record's tokens.

    A rare word is looked up in the token index and its few row ids intersected; a dense one
    ("a", "5") would materialise tens of thousands of ids, so instead the page is found by
    walking the records in list order and probing each one's tokens, which stops after a page.
    """
    if search is None:
        return
    for word in search_words(search):
        bounds = (word, word + "\U0010ffff")
        hits = db.query_one(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE token >= ? AND token < ? "
            f"LIMIT {DENSE_PREFIX})",
            bounds,
        )
        if hits is not None and hits[0] >= DENSE_PREFIX:
            q.add(
                f"EXISTS (SELECT 1 FROM {table} t WHERE t.rid = {key} "
                "AND t.token >= ? AND t.token < ?)",
                *bounds,
            )
        else:
            q.add(f"{key} IN (SELECT rid FROM {table} WHERE token >= ? AND token < ?)", *bounds)
