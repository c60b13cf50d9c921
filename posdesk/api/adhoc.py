"""Ad-hoc read-only queries (the Query console): checks before sending, bounds after.

A document is parsed *before* anything leaves the PC: mutations and subscriptions are refused
there (money only moves through the journaled screens), so a refused document never reaches
the server. Answers are bounded (nesting depth, number of values) so no server answer can
make the console hang or crash. "Load all" rewrites the listing root field's paging
arguments (``skip``/``first``, or ``since`` fed with the previous page's ``until``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLSyntaxError,
    IntValueNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    parse,
    print_ast,
)

from posdesk.api.errors import InvalidResponseError, PosError

#: Answers nested deeper than this, or with more values than this, are refused as unreadable.
MAX_DEPTH = 64
MAX_VALUES = 5_000_000


@dataclass(frozen=True)
class QueryResult:
    """One answered query: the GraphQL ``data`` and how long the round trip took."""

    data: dict[str, Any]
    elapsed: float
    """Seconds from sending to the checked answer."""
    operation_name: str | None = None


class QuerySyntaxError(PosError):
    """The document does not parse (or names an operation it lacks); nothing was sent."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"The query is not valid GraphQL{where}: {message}", details=message)


class ReadOnlyRefused(PosError):  # noqa: N818 (a refusal, like NotAuthorized)
    """The document holds a mutation or subscription: refused before sending."""

    def __init__(self, operation: str, root_fields: tuple[str, ...]) -> None:
        self.operation = operation
        self.root_fields = root_fields
        super().__init__(
            f"The Query console only reads data; this document contains a {operation}. "
            "Nothing was sent.",
            details=f"{operation} refused before sending: {', '.join(root_fields)}",
        )


def parse_document(document: str) -> DocumentNode:
    """Parse or raise :class:`QuerySyntaxError` with the position."""
    try:
        return parse(document)
    except GraphQLSyntaxError as exc:
        loc = exc.locations[0] if exc.locations else None
        raise QuerySyntaxError(
            exc.message, loc.line if loc else None, loc.column if loc else None
        ) from None


def read_only_operation(
    document: str | DocumentNode, operation_name: str | None = None
) -> OperationDefinitionNode:
    """The query operation to run; raises ``ReadOnlyRefused`` if the document holds any
    mutation/subscription (even one not selected), ``QuerySyntaxError`` if unusable."""
    doc = parse_document(document) if isinstance(document, str) else document
    operations = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    for op in operations:
        if op.operation is not OperationType.QUERY:
            fields = tuple(
                s.name.value for s in op.selection_set.selections if isinstance(s, FieldNode)
            )
            raise ReadOnlyRefused(op.operation.value, fields)
    if not operations:
        raise QuerySyntaxError("the document has no query")
    if operation_name is None:
        if len(operations) > 1:
            raise QuerySyntaxError("several operations: choose one by name")
        return operations[0]
    for op in operations:
        if op.name is not None and op.name.value == operation_name:
            return op
    raise QuerySyntaxError(f"no operation named {operation_name}")


def check_bounds(data: object, what: str) -> None:
    """Refuse answers nested deeper than ``MAX_DEPTH`` or with more than ``MAX_VALUES``
    values (iterative: a hostile answer cannot exhaust the stack)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise InvalidResponseError(details=f"{what}: more than {MAX_VALUES} values")
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth >= MAX_DEPTH:
            raise InvalidResponseError(details=f"{what}: nested deeper than {MAX_DEPTH}")
        stack.extend((child, depth + 1) for child in children)


# ---------------------------------------------------------------------------- Load all


@dataclass(frozen=True)
class Listing:
    """The root field of a query that pages: its response key and how it pages."""

    key: str
    """Response key (alias or field name) of the root field."""
    mode: Literal["skip", "since"]


def listing_of(op: OperationDefinitionNode) -> Listing | None:
    """The first root field that selects ``results`` (the documented list envelope)."""
    for selection in op.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.selection_set is None:
            continue
        names = {
            s.name.value for s in selection.selection_set.selections if isinstance(s, FieldNode)
        }
        if "results" in names:
            args = {a.name.value for a in selection.arguments or ()}
            key = selection.alias.value if selection.alias else selection.name.value
            return Listing(key, "since" if "since" in args else "skip")
    return None


def page_request(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    listing: Listing,
    *,
    skip: int,
    first: int,
    since: str | None,
) -> tuple[str, dict[str, Any]]:
    """The document and variables for one page of ``listing`` (the user's document with its
    paging arguments replaced, ``hasMoreResults``/``until`` selected if missing)."""
    doc = copy.deepcopy(document)
    op = read_only_operation(doc, operation_name)
    values = dict(variables)
    for selection in op.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        key = selection.alias.value if selection.alias else selection.name.value
        if key != listing.key:
            continue
        wanted: dict[str, IntValueNode | StringValueNode] = {
            "first": IntValueNode(value=str(first))
        }
        if listing.mode == "since":
            if since is not None:
                wanted["since"] = StringValueNode(value=since)
        else:
            wanted["skip"] = IntValueNode(value=str(skip))
        arguments = list(selection.arguments or ())
        for name, value in wanted.items():
            index = next((i for i, a in enumerate(arguments) if a.name.value == name), None)
            current = arguments[index].value if index is not None else None
            if isinstance(current, VariableNode):
                values[current.name.value] = _plain(value)
            elif index is not None:
                arguments[index] = ArgumentNode(name=NameNode(value=name), value=value)
            else:
                arguments.append(ArgumentNode(name=NameNode(value=name), value=value))
        selection.arguments = tuple(arguments)
        assert selection.selection_set is not None
        present = {
            s.name.value for s in selection.selection_set.selections if isinstance(s, FieldNode)
        }
        extra = [
            FieldNode(name=NameNode(value=name), arguments=(), directives=())
            for name in ("hasMoreResults", "until")
            if name not in present and (name == "hasMoreResults" or listing.mode == "since")
        ]
        if extra:
            selection.selection_set = SelectionSetNode(
                selections=(*selection.selection_set.selections, *extra)
            )
    return print_ast(doc), values


def _plain(value: IntValueNode | StringValueNode) -> int | str:
    return int(value.value) if isinstance(value, IntValueNode) else value.value
