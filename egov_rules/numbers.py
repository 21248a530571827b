"""Numbers as text: the one place a `Fraction` becomes a string.

- `exact_str` — for programs (JSON, CSV, data attributes): exact, "28.5" or "2/3".
- `fmt` — for people: at most a few decimals, halves rounded up, zeros trimmed, `28,5` in
  Vietnamese, `95%` for shares. Used by explanations, annexes, reports and diagnostics.
- `fmt_published` — an index as published: exactly its declared decimals (0.720).
- `machine_str` — for CSV and workbooks: decimals with `.`, an index at its declared decimals,
  other numbers exact when their decimal terminates, else to `MACHINE_DIGITS` places.

None of them changes a computed value; they only write one.
"""

from __future__ import annotations

from fractions import Fraction

from egov_rules.diagnostics import Lang


def terminating_decimal(value: Fraction) -> str | None:
    """The exact decimal text of a Fraction ("-28.5"), or None when it does not terminate."""
    rest, digits = value.denominator, 0
    for prime in (2, 5):
        count = 0
        while rest % prime == 0:
            rest //= prime
            count += 1
        digits = max(digits, count)
    if rest != 1:
        return None
    scaled = abs(value.numerator) * 10**digits // value.denominator  # exact: d divides 10**digits
    whole, fraction = divmod(scaled, 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"


def exact_str(value: Fraction) -> str:
    """A Fraction as a terminating decimal when it has one, else `p/q`."""
    return terminating_decimal(value) or f"{value.numerator}/{value.denominator}"


def fmt(value: Fraction, lang: Lang = "en", share: bool = False, digits: int = 4) -> str:
    """A number for people: at most `digits` decimals, halves rounded up, zeros trimmed."""
    if share:
        return fmt(value * 100, lang, digits=2) + "%"
    scale = 10**digits
    # Integer arithmetic: floor(|n/d| · scale + 1/2) without building Fractions (hot path).
    numerator, denominator = abs(value.numerator), value.denominator
    whole = (2 * numerator * scale + denominator) // (2 * denominator)
    sign = "-" if value < 0 and whole else ""
    integer, fraction = divmod(whole, scale)
    text = f"{integer}"
    if fraction:
        text += "." + f"{fraction:0{digits}d}".rstrip("0")
    text = sign + text
    return text.replace(".", ",") if lang == "vi" else text


def fmt_published(value: Fraction, lang: Lang = "en", digits: int | None = None) -> str:
    """An index as published: exactly `digits` decimals when the index declares `round N`
    (0.720, 1.000), otherwise up to 12 decimals."""
    if digits is None:
        return fmt(value, lang, digits=12)
    whole, _, decimals = fmt(value, "en", digits=digits).partition(".")
    text = f"{whole}.{decimals.ljust(digits, '0')}" if digits else whole
    return text.replace(".", ",") if lang == "vi" else text


MACHINE_DIGITS = 6  # decimals of a number without an exact decimal (2/3) in CSV: 0.666667


def machine_str(value: Fraction, digits: int | None = None) -> str:
    """A number for CSV (and the number a workbook holds): `.` as the decimal mark whatever
    the language; exactly `digits` decimals for an index that declares `round N` (0.720);
    otherwise the exact decimal when there is one (170.5), else rounded to MACHINE_DIGITS
    decimals, halves away from zero (0.666667). `exact_str` is the exact form (`--exact`)."""
    if digits is not None:
        return fmt_published(value, "en", digits)
    return terminating_decimal(value) or fmt(value, "en", digits=MACHINE_DIGITS)
