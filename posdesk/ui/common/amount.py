"""Currency amount entry: strict, locale-aware parsing to ``Decimal`` and a validating field.

Money moves on what the user types here, so parsing is deliberately strict: a value either is
an unambiguous amount with at most two decimals inside the allowed range, or the user gets a
sentence saying what is wrong. ``float`` never appears: text goes straight to ``Decimal``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from posdesk.models.formatting import Formatter, app_locale, currency_symbol

CENT = Decimal("0.01")
#: Largest single gift card / purchase amount the UI accepts without a second look.
DEFAULT_MAXIMUM = Decimal("5000.00")


def error_color(widget: QWidget) -> str:
    """The "danger" text colour that reads well on the widget's current (light/dark) palette."""
    from posdesk.ui.widgets.paged_view import tone_color

    color = tone_color("danger", widget.palette())
    return color.name() if color is not None else "#b3261e"


def error_css(widget: QWidget, error: bool = True) -> str:
    return f"color: {error_color(widget)};" if error else ""


class AmountError(ValueError):
    """The text is not an acceptable amount; ``str(error)`` is a sentence for the user."""


@dataclass(frozen=True, slots=True)
class Separators:
    decimal_point: str = "."
    group: str = ","

    @classmethod
    def for_locale(cls, locale: QLocale | None = None) -> Separators:
        loc = locale or app_locale()
        group = loc.groupSeparator()
        # Some locales group with a (narrow) no-break space: accept a plain space too.
        return cls(decimal_point=loc.decimalPoint(), group=group)


def _strip(text: str, currency_symbols: tuple[str, ...]) -> str:
    value = text.strip()
    for symbol in currency_symbols:
        if symbol and value.startswith(symbol):
            value = value[len(symbol) :].strip()
        if symbol and value.endswith(symbol):
            value = value[: -len(symbol)].strip()
    return value


def parse_amount(
    text: str,
    *,
    separators: Separators | None = None,
    minimum: Decimal = CENT,
    maximum: Decimal = DEFAULT_MAXIMUM,
    currency_symbols: tuple[str, ...] = (),
    formatter: Formatter | None = None,
) -> Decimal:
    """Parse what the user typed into an amount with exactly two decimal places.

    Accepts "12", "12.5", "1,234.50" (with the locale's separators); rejects garbage, more than
    two decimals, misplaced group separators, signs, and values outside ``minimum..maximum``.
    """
    fmt = formatter or Formatter()
    own = currency_symbol(fmt.currency, fmt.locale)
    value = _strip(text, (*currency_symbols, own, fmt.currency or "", "$"))
    amount = parse_decimal(
        value,
        shown=text.strip(),
        places=2,
        noun="amount",
        separators=separators,
        minimum=minimum,
        maximum=maximum,
        formatter=fmt,
    )
    return amount.quantize(CENT)


def parse_quantity(text: str, separators: Separators | None = None, *, places: int = 3) -> Decimal:
    """A positive quantity with at most ``places`` decimals (weights), parsed by the same
    strict rules as amounts: "1,234.5" is 1234.5, "1,2,3" is refused (misplaced groups)."""
    return parse_decimal(text, places=places, noun="quantity", separators=separators)


_PLACES_WORDS = {2: "two decimal places (cents)", 3: "three decimals"}


def parse_decimal(
    text: str,
    *,
    places: int,
    noun: str,
    separators: Separators | None = None,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    formatter: Formatter | None = None,
    shown: str | None = None,
) -> Decimal:
    """The one strict number parser for what users type (amounts and quantities): the
    locale's separators, digit groups of three, no sign, at most ``places`` decimals, within
    ``minimum`` (default: one unit of the last place) .. ``maximum``; errors are sentences
    naming the ``noun``. Never via float."""
    seps = separators or Separators()
    fmt = formatter or Formatter()
    shown = text.strip() if shown is None else shown
    unit = Decimal(1).scaleb(-places)
    value = text.strip()
    if not value:
        raise AmountError(f"Enter {_article(noun)} {noun}.")
    if value[0] in "-−(":
        raise AmountError(f"Enter a positive {noun}; the sign is handled for you.")
    if value[0] == "+":
        value = value[1:].strip()
    groups = {seps.group}
    if seps.group in {"\u00a0", "\u202f"}:
        groups.add(" ")
    integer, _, fraction = value.partition(seps.decimal_point)
    if seps.decimal_point in fraction:
        raise AmountError(f"“{shown}” has more than one decimal separator.")
    if not integer:
        integer = "0"
    digits = integer
    if any(g in integer for g in groups):
        pattern = "|".join(re.escape(g) for g in groups)
        parts = re.split(pattern, integer)
        if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])):
            raise AmountError(
                f"“{shown}” is not {_article(noun)} {noun}: digit groups are misplaced "
                f"(use {seps.decimal_point!r} for decimals)."
            )
        digits = "".join(parts)
    if not digits.isascii() or not digits.isdigit() or (fraction and not fraction.isdigit()):
        example = "25 or 25.50" if places == 2 else "2 or 1.5"
        raise AmountError(f"“{shown}” is not {_article(noun)} {noun}. Type digits, e.g. {example}.")
    if len(fraction) > places:
        raise AmountError(
            f"Use at most {_PLACES_WORDS.get(places, f'{places} decimals')} for {_article(noun)} "
            f"{noun}."
            if noun != "amount"
            else f"Use at most {_PLACES_WORDS.get(places, f'{places} decimals')}."
        )
    try:  # exact as typed ("2.50" stays 2.50); amounts are quantized to cents by the caller
        number = Decimal(f"{digits}.{fraction}" if fraction else digits)
    except InvalidOperation:  # pragma: no cover - digits only, cannot happen
        raise AmountError(f"“{shown}” is not {_article(noun)} {noun}.") from None
    low = unit if minimum is None else minimum
    if number < low:
        if number == 0:
            raise AmountError(f"The {noun} must be more than zero.")
        raise AmountError(f"The {noun} must be at least {_shown(low, noun, fmt)}.")
    if maximum is not None and number > maximum:
        raise AmountError(f"The {noun} must not exceed {_shown(maximum, noun, fmt)}.")
    return number


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _shown(value: Decimal, noun: str, formatter: Formatter) -> str:
    return format_amount(value, formatter) if noun == "amount" else str(value)


def format_amount(amount: Decimal, formatter: Formatter | None = None) -> str:
    """An amount the way the whole app shows money (``formatter``: the session's; without
    one, no currency sign). Never via float."""
    return (formatter or Formatter()).money(amount)


class AmountField(QWidget):
    """A line edit for money with an inline explanation when the text is not acceptable."""

    amountChanged = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        minimum: Decimal = CENT,
        maximum: Decimal = DEFAULT_MAXIMUM,
        object_name: str = "amountField",
        formatter: Formatter | None = None,
    ) -> None:
        super().__init__(parent)
        self.formatter = formatter or Formatter()
        self.setObjectName(object_name)
        self.minimum = minimum
        self.maximum = maximum
        self.separators = Separators.for_locale()
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{object_name}Edit")
        self.edit.setAccessibleName("Amount")
        self.edit.setPlaceholderText(f"0{self.separators.decimal_point}00")
        self.error_label = QLabel(self)
        self.error_label.setObjectName(f"{object_name}Error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.error_label)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self, _text: str) -> None:
        self.validate(show=bool(self.edit.text().strip()))
        self.amountChanged.emit()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def text(self) -> str:
        return self.edit.text()

    def clear(self) -> None:
        self.edit.clear()
        self.error_label.hide()

    def _parse(self) -> tuple[Decimal | None, str | None]:
        try:
            amount = parse_amount(
                self.edit.text(),
                separators=self.separators,
                minimum=self.minimum,
                maximum=self.maximum,
                formatter=self.formatter,
            )
        except AmountError as exc:
            return None, str(exc)
        return amount, None

    def validate(self, *, show: bool = True) -> Decimal | None:
        """The amount, or None with the reason shown under the field (when ``show``)."""
        amount, error = self._parse()
        self.error_label.setText(error or "")
        self.error_label.setStyleSheet(error_css(self))
        self.error_label.setVisible(show and error is not None)
        return amount

    def amount(self) -> Decimal | None:
        return self._parse()[0]

    def error(self) -> str | None:
        return self._parse()[1]
