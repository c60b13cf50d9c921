"""Schema compatibility: which packaged operations the connected server can run.

On connect the client introspects the server and checks every operation against the live
schema. An operation whose root field, arguments or input types the server lacks makes its
feature *unavailable*; a nullable output field the server lacks is simply dropped from the
document (the feature is *reduced*: the domain object gets ``None`` there). Fields that
identify a record are never dropped: without them the feature is unavailable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BREAK,
    REMOVE,
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    NamedTypeNode,
    NonNullTypeNode,
    TypeInfo,
    TypeInfoVisitor,
    TypeNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    build_client_schema,
    parse,
    parse_type,
    print_ast,
    validate,
    visit,
)

from posdesk.api.operations import Operation, load_all, with_document

#: Dropping these would leave records without identity: the feature becomes unavailable.
ESSENTIAL_FIELDS = frozenset(
    {"id", "sku", "code", "codeType", "lineNumber", "warehouseCode", "serialLotNo", "results"}
)


@dataclass(frozen=True, slots=True)
class FeatureReport:
    """What this server supports, for the UI to hide or explain features."""

    available: frozenset[str] = frozenset()
    unavailable: Mapping[str, str] = field(default_factory=dict)
    reduced: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    verified: bool = True

    def __contains__(self, feature: object) -> bool:
        return feature in self.available

    def reason(self, feature: str) -> str | None:
        return self.unavailable.get(feature)


class _Pruner(Visitor):
    """Removes selected fields the parent type lacks; records what was removed."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.dropped: list[str] = []
        self.blocker: str | None = None

    def enter_field(self, node: FieldNode, *_args: Any) -> Any:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return None
        if name in parent.fields:
            return None
        if parent.name in {"Query", "Mutation"} or name in ESSENTIAL_FIELDS or node.arguments:
            self.blocker = f"{parent.name}.{name} is missing"
            return BREAK
        self.dropped.append(f"{parent.name}.{name}")
        return REMOVE

    def leave_field(self, node: FieldNode, *_args: Any) -> Any:
        if node.selection_set is not None and not node.selection_set.selections:
            return REMOVE
        return None


class _ArgumentTypes(Visitor):
    """Records, per variable, the input type of the argument it is passed to."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.types: dict[str, str] = {}

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        argument = self.type_info.get_argument()
        if argument is not None and isinstance(node.value, VariableNode):
            self.types[node.value.name.value] = str(argument.type)


def _named(node: TypeNode) -> str:
    while not isinstance(node, NamedTypeNode):
        node = node.type  # type: ignore[attr-defined]
    return node.name.value


def _retype_variables(schema: GraphQLSchema, ast: DocumentNode) -> DocumentNode:
    """Input type *names* are undocumented guesses: declare each variable whose type the
    server does not know with the type of the argument it feeds (``GiftcardTransAddInput`` on
    the sandbox may be ``GiftCardTransactionInput`` on a real server)."""
    unknown = [d for d in _variable_definitions(ast) if _named(d.type) not in schema.type_map]
    if not unknown:
        return ast
    type_info = TypeInfo(schema)
    collector = _ArgumentTypes(type_info)
    visit(ast, TypeInfoVisitor(type_info, collector))

    class Retype(Visitor):
        def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> Any:
            if node not in unknown or node.variable.name.value not in collector.types:
                return None
            wanted = collector.types[node.variable.name.value]
            if isinstance(node.type, NonNullTypeNode) and not wanted.endswith("!"):
                wanted += "!"  # a required variable may feed an optional argument
            return VariableDefinitionNode(
                variable=node.variable,
                type=parse_type(wanted),
                default_value=node.default_value,
                directives=node.directives,
            )

    result: DocumentNode = visit(ast, Retype())
    return result


def _variable_definitions(ast: DocumentNode) -> list[VariableDefinitionNode]:
    found: list[VariableDefinitionNode] = []
    for definition in ast.definitions:
        found.extend(getattr(definition, "variable_definitions", None) or ())
    return found


def adapt(schema: GraphQLSchema, op: Operation) -> tuple[Operation | None, tuple[str, ...], str]:
    """Fit one operation to ``schema``: (adapted op or None, dropped fields, reason)."""
    ast = parse(op.document)
    errors: list[GraphQLError] = validate(schema, ast)
    if not errors:
        return op, (), ""
    ast = _retype_variables(schema, ast)
    type_info = TypeInfo(schema)
    pruner = _Pruner(type_info)
    pruned = visit(ast, TypeInfoVisitor(type_info, pruner))
    if pruner.blocker:
        return None, (), pruner.blocker
    errors = validate(schema, pruned)
    if errors:
        return None, (), errors[0].message
    return with_document(op, print_ast(pruned)), tuple(pruner.dropped), ""


def check(
    schema: GraphQLSchema, operations: Mapping[str, Operation]
) -> tuple[FeatureReport, dict[str, Operation]]:
    """Adapt every operation; returns the report and the runnable operations."""
    runnable: dict[str, Operation] = {}
    unavailable: dict[str, str] = {}
    reduced: dict[str, tuple[str, ...]] = {}
    for feature, op in operations.items():
        adapted, dropped, reason = adapt(schema, op)
        if adapted is None:
            unavailable[feature] = reason
            continue
        runnable[feature] = adapted
        if dropped:
            reduced[feature] = dropped
    report = FeatureReport(frozenset(runnable), unavailable, reduced)
    return report, runnable


def schema_from_introspection(data: Mapping[str, Any]) -> GraphQLSchema:
    """Build a client schema from an introspection result's ``data``."""
    return build_client_schema(data)  # type: ignore[arg-type]


def schema_key(data: Mapping[str, Any]) -> str:
    """A digest of an introspection result and of the packaged operations: equal keys mean
    the schema check would give the same answer."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode())
    for feature, op in sorted(load_all().items()):
        digest.update(f"\0{feature}\0{op.document}".encode())
    return digest.hexdigest()


def unverified(operations: Mapping[str, Operation]) -> tuple[FeatureReport, dict[str, Operation]]:
    """Server refused introspection: assume everything, but say it was not checked."""
    return FeatureReport(frozenset(operations), verified=False), dict(operations)
