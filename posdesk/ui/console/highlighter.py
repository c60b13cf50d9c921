"""GraphQL syntax colours for the console's editors (query and JSON variables).

Line-based regular expressions are enough for GraphQL: keywords, names before ``:`` or ``(``,
variables, strings, numbers and ``#`` comments; block strings span lines via block state.
Colours follow the palette so the editor reads well in light and dark themes.
"""

from __future__ import annotations

import re

from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from typing_extensions import override

_KEYWORDS = r"\b(query|mutation|subscription|fragment|on|true|false|null|schema|type|input|enum)\b"

#: (pattern, colour on light, colour on dark, bold)
_RULES: tuple[tuple[str, str, str, bool], ...] = (
    (_KEYWORDS, "#8a2be2", "#c792ea", True),
    (r"\$[A-Za-z_][A-Za-z0-9_]*", "#b35c00", "#f78c6c", False),
    (r"@[A-Za-z_][A-Za-z0-9_]*", "#6b6b6b", "#a0a0a0", False),
    (r"\b[A-Za-z_][A-Za-z0-9_]*(?=\s*:)", "#1a5fb4", "#82aaff", False),
    (r"-?\b\d+(\.\d+)?([eE][+-]?\d+)?\b", "#1b6e20", "#c3e88d", False),
    (r'"(?:[^"\\]|\\.)*"', "#a31515", "#ecc48d", False),
    (r"#.*$", "#6b6b6b", "#7f8c98", False),
)

_BLOCK = '"""'


def _dark() -> bool:
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


class GraphQLHighlighter(QSyntaxHighlighter):
    """Colours a GraphQL (or JSON) document."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.rules: list[tuple[re.Pattern[str], QTextCharFormat]] = []
        self.block_format = QTextCharFormat()
        self.refresh_colors()

    def refresh_colors(self) -> None:
        """(Re)build the formats for the current palette (called on theme changes)."""
        dark = _dark()
        self.rules = []
        for pattern, light_colour, dark_colour, bold in _RULES:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark_colour if dark else light_colour))
            if bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            self.rules.append((re.compile(pattern), fmt))
        self.block_format = QTextCharFormat()
        self.block_format.setForeground(QColor("#ecc48d" if dark else "#a31515"))
        self.rehighlight()

    @override
    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self.rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
        # block strings: state 1 = inside a """ string that continues on the next line
        self.setCurrentBlockState(0)
        start = 0 if self.previousBlockState() == 1 else text.find(_BLOCK)
        while start >= 0:
            skip = 0 if self.previousBlockState() == 1 and start == 0 else len(_BLOCK)
            end = text.find(_BLOCK, start + skip)
            if end < 0:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self.block_format)
                return
            length = end - start + len(_BLOCK)
            self.setFormat(start, length, self.block_format)
            start = text.find(_BLOCK, start + length)
