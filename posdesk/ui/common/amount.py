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
    seps = separators or Separators()
    fmt = formatter or Formatter()
    own = currency_symbol(fmt.currency, fmt.locale)
    value = _strip(text, (*currency_symbols, own, fmt.currency or "", "$"))
    if not value:
        raise AmountError("Enter an amount.")
    if value[0] in "-−(":
        raise AmountError("Enter a positive amount; the sign is handled for you.")
    if value[0] == "+":
        value = value[1:].strip()
    groups = {seps.group}
    if seps.group in {"\u00a0", "\u202f"}:
        groups.add(" ")
    integer, _, fraction = value.partition(seps.decimal_point)
    if seps.decimal_point in fraction:
        raise AmountError(f"“{text.strip()}” has more than one decimal separator.")
    if not integer:
        integer = "0"
    digits = integer
    if any(g in integer for g in groups):
        pattern = "|".join(re.escape(g) for g in groups)
        parts = re.split(pattern, integer)
        if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])):
            raise AmountError(
                f"“{text.strip()}” is not an amount: digit groups are misplaced "
                f"(use {seps.decimal_point!r} for decimals)."
            )
        digits = "".join(parts)
    if not digits.isascii() or not digits.isdigit() or (fraction and not fraction.isdigit()):
        raise AmountError(f"“{text.strip()}” is not an amount. Type digits, e.g. 25 or 25.50.")
    if len(fraction) > 2:
        raise AmountError("Use at most two decimal places (cents).")
    try:
        amount = Decimal(f"{digits}.{fraction or '0'}").quantize(CENT)
    except InvalidOperation:  # pragma: no cover - digits only, cannot happen
        raise AmountError(f"“{text.strip()}” is not an amount.") from None
    if amount < minimum:
        if amount == 0:
            raise AmountError("The amount must be more than zero.")
        raise AmountError(f"The amount must be at least {format_amount(minimum, fmt)}.")
    if amount > maximum:
        raise AmountError(f"The amount must not exceed {format_amount(maximum, fmt)}.")
    return amount


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
