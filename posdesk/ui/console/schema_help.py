"""What the schema says at the cursor: completions, documentation and validation.

A light context scanner over graphql-core's lexer (strings and comments are handled by the
lexer): it walks the tokens before the cursor keeping a stack of selection sets, argument
lists and input objects, so it works on the half-typed documents an editor holds, where a
parser would give up. Qt-free, so it is cheap to test and to time.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    GraphQLUnionType,
    Lexer,
    Source,
    TokenKind,
    get_named_type,
    parse,
    validate,
)

FrameKind = Literal["select", "args", "input", "vars"]
_SCALAR_TOKENS = frozenset(
    {TokenKind.STRING, TokenKind.BLOCK_STRING, TokenKind.INT, TokenKind.FLOAT}
)


@dataclass
class _Frame:
    kind: FrameKind
    type: GraphQLNamedType | None = None
    field: GraphQLField | None = None


@dataclass(frozen=True)
class Candidate:
    """One completion: the text to insert and a short type/description hint."""

    text: str
    detail: str = ""


@dataclass
class Context:
    """Where the cursor is, as far as the schema is concerned."""

    frame: FrameKind | None = None
    type: GraphQLNamedType | None = None
    field: GraphQLField | None = None
    value_type: GraphQLNamedType | None = None
    """Set when the cursor is at an argument's (or input field's) value."""
    type_condition: bool = False


def word_before(text: str, position: int) -> str:
    """The partial name ending at ``position`` (what the user is typing)."""
    start = position
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return text[start:position]


def word_at(text: str, position: int) -> tuple[int, int]:
    """Start and end of the name under ``position`` (empty range if none)."""
    start = end = position
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return start, end


def _fields(named: GraphQLNamedType | None) -> dict[str, GraphQLField]:
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return dict(named.fields)
    return {}


def context_at(schema: GraphQLSchema, before: str) -> Context | None:
    """The schema context after ``before`` (text up to the start of the current word);
    None when the cursor is inside a string/comment or the text cannot be tokenised.

    Long: one tokenizer pass with a branch per GraphQL token kind, clearer in one place.
    """
    lexer = Lexer(Source(before))
    stack: list[_Frame] = []
    pending_type: GraphQLNamedType | None = None
    pending_field: GraphQLField | None = None
    arg_type: GraphQLNamedType | None = None  # type of the argument whose value comes next
    in_value = False
    list_depth = 0
    type_condition = False
    root_keyword: str | None = None
    previous: TokenKind | None = None
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            kind = token.kind
            top = stack[-1] if stack else None
            if kind is TokenKind.NAME:
                value = token.value or ""
                if top is None:
                    if value in ("query", "mutation", "subscription"):
                        root_keyword = value
                        pending_type = _root(schema, value)
                    elif value == "on":
                        type_condition = True
                    elif type_condition:
                        pending_type = schema.get_type(value)
                        type_condition = False
                elif top.kind == "select":
                    if previous is TokenKind.SPREAD and value == "on":
                        type_condition = True
                    elif type_condition:
                        pending_type = schema.get_type(value)
                        type_condition = False
                    elif previous is not TokenKind.SPREAD:
                        found = _fields(top.type).get(value)
                        if found is not None or previous is not TokenKind.COLON:
                            pending_field = found
                            pending_type = get_named_type(found.type) if found else None
                elif top.kind in ("args", "input"):
                    if in_value:
                        in_value = list_depth > 0  # an enum value / true / false / null
                    else:
                        arg_type = _named(_arg_def(top, value))
            elif kind is TokenKind.COLON and top is not None and top.kind in ("args", "input"):
                in_value = True
            elif kind is TokenKind.BRACE_L:
                if top is not None and top.kind in ("args", "input"):
                    stack.append(_Frame("input", arg_type if in_value else None))
                    in_value = False
                else:
                    if top is None and pending_type is None and root_keyword is None:
                        pending_type = schema.query_type
                    stack.append(_Frame("select", pending_type))
                pending_type = None
                pending_field = None
            elif kind is TokenKind.BRACE_R:
                if stack:
                    stack.pop()
                if not stack:
                    root_keyword = None
                in_value = False
            elif kind is TokenKind.PAREN_L:
                if top is None:
                    stack.append(_Frame("vars"))
                else:
                    stack.append(_Frame("args", field=pending_field))
                in_value = False
            elif kind is TokenKind.PAREN_R:
                if stack:
                    stack.pop()
                in_value = False
            elif kind is TokenKind.BRACKET_L and in_value:
                list_depth += 1
            elif kind is TokenKind.BRACKET_R and list_depth:
                list_depth -= 1
                in_value = list_depth > 0
            elif kind in _SCALAR_TOKENS and not list_depth:
                in_value = False
            previous = kind
            token = lexer.advance()
    except GraphQLSyntaxError:
        return None
    top = stack[-1] if stack else None
    if top is None:
        return Context(type_condition=type_condition)
    if top.kind == "select":
        return Context("select", top.type, type_condition=type_condition)
    if top.kind in ("args", "input"):
        return Context(top.kind, top.type, top.field, value_type=arg_type if in_value else None)
    return Context("vars")


def _root(schema: GraphQLSchema, keyword: str) -> GraphQLNamedType | None:
    if keyword == "mutation":
        return schema.mutation_type
    if keyword == "subscription":
        return schema.subscription_type
    return schema.query_type


def _arg_def(frame: _Frame, name: str) -> GraphQLArgument | GraphQLInputField | None:
    found: GraphQLArgument | GraphQLInputField | None = None
    if frame.kind == "args" and frame.field is not None:
        found = frame.field.args.get(name)
    elif frame.kind == "input" and isinstance(frame.type, GraphQLInputObjectType):
        found = frame.type.fields.get(name)
    return found


def _named(definition: GraphQLArgument | GraphQLInputField | None) -> GraphQLNamedType | None:
    return get_named_type(definition.type) if definition is not None else None


def completions(schema: GraphQLSchema, text: str, position: int) -> tuple[str, list[Candidate]]:
    """(prefix being typed, candidates that start with it) at ``position`` in ``text``."""
    prefix = word_before(text, position)
    start = position - len(prefix)
    if (start > 0 and text[start - 1] == "$") or _in_comment(text, start):
        return prefix, []
    context = context_at(schema, text[:start])
    if context is None:
        return prefix, []
    found: list[Candidate] = []
    if context.type_condition or context.frame == "vars":
        found = [
            Candidate(name, _kind(t))
            for name, t in sorted(schema.type_map.items())
            if not name.startswith("__")
        ]
    elif context.frame is None:
        found = [Candidate(k, "keyword") for k in ("query", "fragment")]
    elif context.frame == "select":
        found = [Candidate(n, str(f.type)) for n, f in _fields(context.type).items()]
        if isinstance(context.type, GraphQLUnionType | GraphQLInterfaceType | GraphQLObjectType):
            found.append(Candidate("__typename", "String!"))
    elif context.value_type is not None:
        if isinstance(context.value_type, GraphQLEnumType):
            found = [Candidate(n, context.value_type.name) for n in context.value_type.values]
        elif context.value_type.name == "Boolean":
            found = [Candidate("true", "Boolean"), Candidate("false", "Boolean")]
    elif context.frame == "args" and context.field is not None:
        found = [Candidate(n, str(a.type)) for n, a in context.field.args.items()]
    elif context.frame == "input" and isinstance(context.type, GraphQLInputObjectType):
        found = [Candidate(n, str(f.type)) for n, f in context.type.fields.items()]
    lowered = prefix.lower()
    return prefix, [c for c in found if c.text.lower().startswith(lowered)]


def _in_comment(text: str, position: int) -> bool:
    """A ``#`` earlier on the line, outside a string (the lexer skips comments silently)."""
    line = text[text.rfind("\n", 0, position) + 1 : position]
    in_string = False
    for index, char in enumerate(line):
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            in_string = not in_string
        elif char == "#" and not in_string:
            return True
    return False


def _kind(named: GraphQLNamedType) -> str:
    return type(named).__name__.removeprefix("GraphQL").removesuffix("Type").lower()


# ----------------------------------------------------------------------------- documentation


def describe_at(schema: GraphQLSchema, text: str, position: int) -> str | None:
    """HTML documentation for the name under ``position`` (a field, argument or type)."""
    start, end = word_at(text, position)
    name = text[start:end]
    if not name:
        return None
    context = context_at(schema, text[:start])
    if context is not None and context.frame == "select":
        found = _fields(context.type).get(name)
        if found is not None and context.type is not None:
            return field_html(context.type.name, name, found)
    if context is not None and context.frame in ("args", "input") and context.value_type is None:
        frame = _Frame(context.frame, context.type, context.field)
        definition = _arg_def(frame, name)
        if definition is not None:
            return _block(
                f"argument {html.escape(name)}: {_type_link(str(definition.type))}",
                definition.description,
            )
    named = schema.get_type(name)
    if named is not None:
        return type_html(named)
    return None


def _type_link(type_text: str) -> str:
    bare = type_text.strip("[]!")
    return html.escape(type_text).replace(
        html.escape(bare), f'<a href="type:{html.escape(bare)}">{html.escape(bare)}</a>', 1
    )


def _block(title: str, description: str | None) -> str:
    """Schema descriptions are wrapped at ~80 columns in the SDL: a single line break is
    that wrap (joined, so the pane reflows the text); a blank line starts a paragraph."""
    if not description:
        return f"<p><b>{title}</b></p><p><i>No description.</i></p>"
    paragraphs = [" ".join(p.split()) for p in description.split("\n\n") if p.strip()]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<p><b>{title}</b></p>{body}"


def field_html(parent: str, name: str, definition: GraphQLField) -> str:
    """A field: signature, its description, its arguments."""
    parts = [
        _block(
            f"{html.escape(parent)}.{html.escape(name)}: {_type_link(str(definition.type))}",
            definition.description,
        )
    ]
    if definition.args:
        parts.append("<p><b>Arguments</b></p><ul>")
        for arg_name, arg in definition.args.items():
            description = f" — {html.escape(arg.description)}" if arg.description else ""
            parts.append(
                f"<li>{html.escape(arg_name)}: {_type_link(str(arg.type))}{description}</li>"
            )
        parts.append("</ul>")
    if definition.deprecation_reason:
        parts.append(f"<p><i>Deprecated: {html.escape(definition.deprecation_reason)}</i></p>")
    return "".join(parts)


def type_html(named: GraphQLNamedType) -> str:
    """A type: its kind, description and fields / values."""
    parts = [_block(f"{_kind(named)} {html.escape(named.name)}", named.description)]
    rows: list[str] = []
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        for field_name, definition in named.fields.items():
            description = (
                f" — {html.escape(definition.description)}" if definition.description else ""
            )
            rows.append(
                f"<li>{html.escape(field_name)}: {_type_link(str(definition.type))}{description}"
                "</li>"
            )
    elif isinstance(named, GraphQLEnumType):
        for value_name, value in named.values.items():
            description = f" — {html.escape(value.description)}" if value.description else ""
            rows.append(f"<li>{html.escape(value_name)}{description}</li>")
    if rows:
        parts.append("<ul>" + "".join(rows) + "</ul>")
    return "".join(parts)


# ----------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """One validation problem: a plain message and the text range to underline."""

    message: str
    start: int
    end: int


def problems(schema: GraphQLSchema | None, text: str) -> list[Problem]:
    """Syntax errors, then graphql-core validation against ``schema`` (when known)."""
    if not text.strip():
        return []
    try:
        document = parse(text)
    except GraphQLSyntaxError as exc:
        return [_problem(exc, text)]
    if schema is None:
        return []
    return [_problem(error, text) for error in validate(schema, document)]


def _problem(error: GraphQLError, text: str) -> Problem:
    """The range to underline: the offending node's name, else the word at the position."""
    node = error.nodes[0] if error.nodes else None
    if node is not None and node.loc is not None:
        name = getattr(node, "name", None)
        loc = name.loc if name is not None and name.loc is not None else node.loc
        return Problem(error.message, loc.start, max(loc.end, loc.start + 1))
    position = min(next(iter(error.positions)), len(text)) if error.positions else 0
    start, end = word_at(text, position)
    if end <= start:
        start, end = position, position + 1
    return Problem(error.message, start, end)
