"""The documented surface: the schema without its sandbox extensions (``--api documented``).

``schema.graphql`` marks every field, argument, type and enum value that the vendor documents
nowhere with ``# inferred (sandbox extension ...)`` on its name line. Dropping those
definitions gives the documented draft, so posdesk can be tried against a server that has
nothing more than the documentation promises (no search, no sale filters, no ``viewer``, ...).
"""

from __future__ import annotations

from typing import Any

from ariadne import make_executable_schema
from graphql import (
    REMOVE,
    DocumentNode,
    EnumValueDefinitionNode,
    FieldDefinitionNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InputValueDefinitionNode,
    TypeDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from posdesk.sandbox.graphql_api.scalars import SCALARS

API_MODES = ("extended", "documented")
"""``extended``: everything the sandbox offers (default); ``documented``: the draft only."""
EXTENSION_MARK = "# inferred (sandbox extension"

_MARKABLE = (
    TypeDefinitionNode,
    FieldDefinitionNode,
    InputValueDefinitionNode,
    EnumValueDefinitionNode,
)


class _DropExtensions(Visitor):
    """Removes every definition whose name line carries :data:`EXTENSION_MARK`."""

    def __init__(self, sdl: str) -> None:
        super().__init__()
        self.sdl = sdl
        self.lines = sdl.split("\n")

    def enter(self, node: Any, *_args: Any) -> Any:
        name = getattr(node, "name", None)
        if not isinstance(node, _MARKABLE) or name is None or name.loc is None:
            return None
        line = self.sdl.count("\n", 0, name.loc.start)  # the name's line, not its description
        return REMOVE if EXTENSION_MARK in self.lines[line] else None


def documented_type_defs(sdl: str) -> DocumentNode:
    """``sdl`` without its sandbox extensions."""
    document: DocumentNode = visit(parse(sdl), _DropExtensions(sdl))
    return document


def restrict(schema: GraphQLSchema, type_defs: DocumentNode) -> GraphQLSchema:
    """A schema of ``type_defs`` (a subset of ``schema``) resolving every field as ``schema``
    does: the domain modules bind their resolvers once, to the full schema."""
    narrow: GraphQLSchema = make_executable_schema(
        print_ast(type_defs), *SCALARS, convert_names_case=True
    )
    for name, narrow_type in narrow.type_map.items():
        if name.startswith("__") or not isinstance(
            narrow_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        wide = schema.type_map[name]
        assert isinstance(wide, GraphQLObjectType | GraphQLInterfaceType)
        for field_name, field in narrow_type.fields.items():
            field.resolve = wide.fields[field_name].resolve
    return narrow
