"""Query cost analysis: refuse a document before it runs when it asks for too much.

Without limits one request of 5,000 aliases of ``customer(first: 1000)`` kept the server busy
for half a minute. Every document (introspection included) is measured before validation and
execution against :data:`LIMITS`; the first limit exceeded is answered with a ``VALIDATION``
error whose ``extensions.data.Limit`` names it (``MaxNesting``, ``MaxTokens``, ``MaxDepth``,
``MaxFields``, ``MaxAliases``, ``MaxRows``) with ``Maximum`` and ``Requested``.

* nesting: brackets of any kind in the raw text (checked on the token stream, before the
  recursive parser could overflow the stack on a selection nested 3,000 deep);
* tokens: the document's length in GraphQL tokens (bounds parsing);
* depth: the deepest field, fragments expanded;
* fields: every field selection, fragments expanded, aliases included;
* aliases: fields selected under an alias;
* rows: requested rows summed over list fields: a field with ``first`` asks for
  ``min(first ?? 100, 1000)`` rows per parent row, a list without ``first`` (an item's
  warehouses, a sale's lines) counts :data:`NESTED_LIST_ROWS` per parent row. Introspection
  lists count no rows (they are bounded by the schema) but do count for the other limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    Source,
    TokenKind,
    VariableNode,
    get_named_type,
)
from graphql.language import DocumentNode, Lexer, SelectionSetNode

from posdesk.sandbox.graphql_api.errors import ApiError
from posdesk.sandbox.graphql_api.paging import DEFAULT_FIRST, MAX_FIRST


@dataclass(frozen=True, slots=True)
class CostLimits:
    """What one GraphQL document may ask for (documented in the README)."""

    max_nesting: int = 64
    max_tokens: int = 20_000
    max_depth: int = 20
    max_fields: int = 2_000
    max_aliases: int = 200
    max_rows: int = 50_000


LIMITS = CostLimits()
NESTED_LIST_ROWS = 5
"""Rows a list field without ``first`` is assumed to return per parent row."""

_OPEN = {TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L}
_CLOSE = {TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R}


def too_costly(limit: str, maximum: int, requested: int) -> GraphQLError:
    """The error for a document over one limit (``Requested`` is a lower bound when the
    measurement stopped early)."""
    message = (
        f"The query asks for too much: {limit} is {maximum}, the document needs at least "
        f"{requested}. Ask for fewer fields, rows or aliases, or split it into several requests."
    )
    data = {
        "ValidationType": "QueryCostValidator",
        "Property": "Query",
        "Limit": limit,
        "Maximum": maximum,
        "Requested": requested,
    }
    return GraphQLError(message, original_error=ApiError("VALIDATION", message, data))


def check_text(query: str, limits: CostLimits = LIMITS) -> None:
    """Nesting and token limits on the raw text (iterative: safe on any input); raises the
    limit's ``GraphQLError``. A lexing error is left to the parser to report."""
    lexer = Lexer(Source(query))
    depth = tokens = 0
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            tokens += 1
            if tokens > limits.max_tokens:
                raise too_costly("MaxTokens", limits.max_tokens, tokens)
            if token.kind in _OPEN:
                depth += 1
                if depth > limits.max_nesting:
                    raise too_costly("MaxNesting", limits.max_nesting, depth)
            elif token.kind in _CLOSE:
                depth -= 1
            token = lexer.advance()
    except GraphQLError as error:
        if error.original_error is not None:
            raise
        return  # a syntax error: parse() reports it with its location


@dataclass(slots=True)
class _Measure:
    limits: CostLimits
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    fields: int = 0
    aliases: int = 0
    rows: int = 0
    depth: int = 0

    def first_of(self, node: FieldNode) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                return given if isinstance(given, int) and not isinstance(given, bool) else None
        return None

    def selection(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
        paged: bool = False,
    ) -> None:
        """``paged``: the parent was a paged field (``first``), whose envelope's list is the
        page already counted."""
        if selection_set is None:
            return
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                self.field(node, parent, depth, multiplier, seen, paged)
            elif isinstance(node, InlineFragmentNode):
                condition: NamedTypeNode | None = getattr(node, "type_condition", None)
                target = parent if condition is None else self.schema.get_type(condition.name.value)
                self.selection(node.selection_set, target, depth, multiplier, seen, paged)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic: validation reports it
                target = self.schema.get_type(fragment.type_condition.name.value)
                spread = seen | {name}
                self.selection(fragment.selection_set, target, depth, multiplier, spread, paged)

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
        paged: bool,
    ) -> None:
        limits = self.limits
        self.fields += 1
        if self.fields > limits.max_fields:
            raise too_costly("MaxFields", limits.max_fields, self.fields)
        if node.alias is not None and node.alias.value != node.name.value:
            self.aliases += 1
            if self.aliases > limits.max_aliases:
                raise too_costly("MaxAliases", limits.max_aliases, self.aliases)
        depth += 1
        if depth > limits.max_depth:
            raise too_costly("MaxDepth", limits.max_depth, depth)
        self.depth = max(self.depth, depth)
        name = node.name.value
        introspecting = name.startswith("__") or (
            parent is not None and parent.name.startswith("__")
        )
        definition = (
            parent.fields.get(name)
            if isinstance(parent, GraphQLObjectType) and not introspecting
            else None
        )
        child: GraphQLNamedType | None = None
        page = False
        if name == "__schema":
            child = self.schema.get_type("__Schema")
        elif name == "__type":
            child = self.schema.get_type("__Type")
        elif definition is not None:
            child = get_named_type(definition.type)
            if "first" in definition.args:
                first = self.first_of(node)
                rows = DEFAULT_FIRST if first is None else min(max(first, 0), MAX_FIRST)
                multiplier *= max(rows, 1)
                self.add_rows(multiplier)
                page = True
            elif paged and _is_list(definition.type):
                pass  # the page's ``results``: counted with ``first`` above
            elif _is_list(definition.type) and isinstance(child, GraphQLObjectType):
                multiplier *= NESTED_LIST_ROWS
                self.add_rows(multiplier)
        elif isinstance(parent, GraphQLObjectType) and parent.name.startswith("__"):
            introspected = parent.fields.get(name)
            child = get_named_type(introspected.type) if introspected is not None else None
        self.selection(node.selection_set, child, depth, multiplier, seen, page)

    def add_rows(self, rows: int) -> None:
        self.rows += rows
        if self.rows > self.limits.max_rows:
            raise too_costly("MaxRows", self.limits.max_rows, self.rows)


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


@dataclass(frozen=True, slots=True)
class Cost:
    """What a document asks for (see the module docstring)."""

    depth: int
    fields: int
    aliases: int
    rows: int


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
    limits: CostLimits = LIMITS,
) -> Cost:
    """The cost of the operation ``operation_name`` (or of every operation when it is not
    given); raises the ``GraphQLError`` of the first limit exceeded, stopping right there
    (fragment spreads can multiply a small document's size exponentially)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measured = _Measure(limits, schema, fragments, variables or {})
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else None
        if operation_name is not None and name != operation_name:
            continue
        root = schema.get_root_type(definition.operation)
        measured.selection(definition.selection_set, root, 0, 1, frozenset())
    return Cost(measured.depth, measured.fields, measured.aliases, measured.rows)
