"""The GraphQL documents posdesk sends, one ``.graphql`` file per feature.

A file's stem is the feature name reported by the schema-compatibility check
(``customer_search``, ``giftcard_transactions``…). The test suite validates every
document against ``posdesk/sandbox/schema.graphql``; on connect the client validates
them again against the live server's schema.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from graphql import OperationDefinitionNode, OperationType, parse


@dataclass(frozen=True, slots=True)
class Operation:
    """One named GraphQL operation as sent on the wire. ``root_field`` is the key of its
    result in ``data``; ``""`` for an operation of several aliased root fields."""

    feature: str
    name: str
    document: str
    is_mutation: bool
    root_field: str


def _build(feature: str, text: str) -> Operation:
    ast = parse(text)
    ops = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1 or ops[0].name is None:
        raise ValueError(f"{feature}.graphql must hold exactly one named operation")
    op = ops[0]
    assert op.name is not None
    roots = op.selection_set.selections
    if len(roots) > 1:
        # several root fields in one round trip: each must be aliased, and the caller reads
        # the whole ``data`` (root_field ``""``), e.g. item_lookup's bySku / byBarcode
        if any(getattr(root, "alias", None) is None for root in roots):
            raise ValueError(f"{feature}.graphql: several root fields must all be aliased")
        root_name = ""
    else:
        root_field = getattr(roots[0], "name", None)
        if root_field is None:
            raise ValueError(f"{feature}.graphql must select a root field")
        root_name = root_field.value
    return Operation(
        feature=feature,
        name=op.name.value,
        document=text,
        is_mutation=op.operation is OperationType.MUTATION,
        root_field=root_name,
    )


@functools.cache
def load_all() -> dict[str, Operation]:
    """Every packaged operation, by feature name."""
    folder = resources.files(__package__)
    result: dict[str, Operation] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".graphql"):
            feature = entry.name.removesuffix(".graphql")
            result[feature] = _build(feature, entry.read_text(encoding="utf-8"))
    return result


def with_document(op: Operation, document: str) -> Operation:
    """The same operation with an adapted document (fields the server lacks removed)."""
    return Operation(op.feature, op.name, document, op.is_mutation, op.root_field)
