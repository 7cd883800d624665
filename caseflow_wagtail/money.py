"""Exact money: Decimal amounts with a currency code, and the Stripe minor-unit boundary.

Nothing else in the package converts to or from minor units, rounds an amount or formats one.
"""

from __future__ import annotations

import copy
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from babel.core import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    is_currency,
    parse_decimal,
)
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def _codes(text: str) -> frozenset[str]:
    """Currency codes written as one string, so that long lists stay a few readable lines."""
    return frozenset(text.split())


# Stripe's own classification, which is what matters at the API boundary (it differs from ISO 4217 for a
# few currencies such as UGX).
ZERO_DECIMAL = _codes("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF")
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
# Two-decimal in Stripe's API, but card networks take whole units only: Stripe refuses an amount that is not a
# multiple of 100 minor units (ISK since 14 April 2023). HUF and TWD are zero-decimal for payouts only;
# charges in them may have two decimals.
WHOLE_UNITS_ONLY = frozenset(["ISK"])

# Currencies Stripe can charge cards in.
STRIPE_CURRENCIES = _codes(
    "USD AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BWP BYN "
    "BZD CAD CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GNF "
    "GTQ GYD HKD HNL HTG HUF IDR ILS INR ISK JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LBP LKR "
    "LRD LSL MAD MDL MGA MKD MMK MNT MOP MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN "
    "PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SEK SGD SHP SLE SOS SRD STD SZL THB TJS TND "
    "TOP TRY TTD TWD TZS UAH UGX UYU UZS VND VUV WST XAF XCD XOF XPF YER ZAR ZMW"
)

# Stripe's documented minimum charge amounts, in major units. Other currencies have a minimum equal to
# USD 0.50 at the day's rate, which only Stripe knows; for them the smallest unit is accepted here and
# Stripe's own answer is shown if it refuses.
MINIMUM_CHARGE = {
    "USD": "0.50",
    "AED": "2.00",
    "AUD": "0.50",
    "BGN": "1.00",
    "BRL": "0.50",
    "CAD": "0.50",
    "CHF": "0.50",
    "CZK": "15.00",
    "DKK": "2.50",
    "EUR": "0.50",
    "GBP": "0.30",
    "HKD": "4.00",
    "HUF": "175.00",
    "INR": "0.50",
    "JPY": "50",
    "MXN": "10",
    "MYR": "2",
    "NOK": "3.00",
    "NZD": "0.50",
    "PLN": "2.00",
    "RON": "2.00",
    "SEK": "3.00",
    "SGD": "0.50",
    "THB": "10",
}


# ISO 4217 codes that are not money anyone is invoiced in: testing, "no currency", precious metals and
# accounting units of supranational bodies.
NOT_MONEY = frozenset(
    ["XTS", "XXX", "XAU", "XAG", "XPD", "XPT", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"]
)


def normalize_currency(code: str) -> str:
    """Return the upper-case ISO 4217 code, or raise ValidationError naming the bad value."""
    cleaned = (code or "").strip().upper()
    if len(cleaned) != 3 or not cleaned.isalpha() or not is_currency(cleaned) or cleaned in NOT_MONEY:
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code."), code="invalid_currency", params={"code": code}
        )
    return cleaned


def decimal_places(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-decimal_places(currency))


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half up to the currency's smallest unit (the rounding invoices use for tax lines)."""
    return Decimal(amount).quantize(_exponent(currency), rounding=ROUND_HALF_UP)


def has_valid_precision(amount: Decimal, currency: str) -> bool:
    """True when the amount needs no rounding in this currency (a client cannot pay 10.005 USD)."""
    try:
        return amount == amount.quantize(_exponent(currency))
    except InvalidOperation:
        return False


def charge_places(currency: str) -> int:
    """Decimal places of an amount Stripe can charge: coarser than the ledger's for a few currencies.

    Three-decimal amounts must end in 0 (5.124 KWD cannot be charged, 5.120 can); ISK amounts are whole krónur.
    """
    code = currency.upper()
    if code in THREE_DECIMAL:
        return 2
    if code in WHOLE_UNITS_ONLY:
        return 0
    return decimal_places(code)


def charge_step(currency: str) -> Decimal:
    """The smallest amount Stripe charges in, in the ledger's places: 0.010 KWD, 1.00 ISK, 0.01 USD."""
    return Decimal(1).scaleb(-charge_places(currency)).quantize(_exponent(currency))


def is_chargeable(amount: Decimal, currency: str) -> bool:
    """True when Stripe can charge exactly this amount (a multiple of the charge step)."""
    try:
        return amount == amount.quantize(Decimal(1).scaleb(-charge_places(currency)))
    except InvalidOperation:
        return False


def chargeable_part(amount: Decimal, currency: str) -> Decimal:
    """The most of ``amount`` that Stripe can charge: rounded down to the charge step, never up."""
    coarse = amount.quantize(Decimal(1).scaleb(-charge_places(currency)), rounding=ROUND_DOWN)
    return coarse.quantize(_exponent(currency))


# Stripe's amounts have at most eight digits (99999999: 999,999.99 USD, 99,999,999 JPY) in every currency.
STRIPE_MAXIMUM_MINOR = 99_999_999


def maximum_charge(currency: str) -> Decimal:
    """The most Stripe charges in one payment, as a chargeable amount."""
    return chargeable_part(Decimal(STRIPE_MAXIMUM_MINOR).scaleb(-decimal_places(currency)), currency)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Decimal major units → Stripe's integer amount. Refuses amounts that would need rounding, and
    amounts Stripe cannot charge (see ``charge_places``)."""
    if not has_valid_precision(amount, currency):
        raise ValueError(f"{amount} has more decimal places than {currency.upper()} allows")
    if not is_chargeable(amount, currency):
        raise ValueError(
            f"{amount} {currency.upper()} must be a multiple of {charge_step(currency)} for Stripe"
        )
    return int(amount.scaleb(decimal_places(currency)))


def precision_message(currency: str) -> str:
    """Why an amount with too many decimal places is refused, in the ledger's terms."""
    return _("%(currency)s amounts have at most %(places)s decimal places.") % {
        "currency": currency.upper(),
        "places": decimal_places(currency),
    }


def charge_step_message(currency: str) -> str:
    """Why Stripe cannot charge an amount that the ledger could book."""
    code = currency.upper()
    if code in WHOLE_UNITS_ONLY:
        return _("Card payments in %(currency)s are in whole units.") % {"currency": code}
    return _("Card payments in %(currency)s are in steps of %(step)s.") % {
        "currency": code,
        "step": format_amount(charge_step(code), code),
    }


def from_minor_units(minor: int, currency: str) -> Decimal:
    """Stripe's integer amount → Decimal major units.

    Only an integer is an amount: ``"1000"``, ``1000.9`` or ``true`` in an event is malformed, never
    coerced into money.
    """
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise TypeError(f"A Stripe amount is an integer of minor units, not {minor!r}")
    return Decimal(minor).scaleb(-decimal_places(currency)).quantize(_exponent(currency))


def minimum_charge(currency: str) -> Decimal:
    code = currency.upper()
    if code in MINIMUM_CHARGE:
        return quantize(Decimal(MINIMUM_CHARGE[code]), code)
    return charge_step(code)


def active_locale() -> str:
    """The babel locale of Django's active language (``en_GB`` for ``en-gb``)."""
    return translation.to_locale(translation.get_language() or "en")


def parse_amount(text: str, locale: str | None = None) -> Decimal:
    """An amount a person typed, read in their locale: "1,234.50" in English, "1.234,50" in German.

    Raises ValueError for anything that could be read two ways or is not plainly a number: a separator in
    the wrong place ("10,00" in English: ten, or a thousand?), an underscore, an exponent, letters.
    """
    locale = locale or active_locale()
    try:
        decimal_symbol, group_symbol = get_decimal_symbol(locale), get_group_symbol(locale)
    except UnknownLocaleError:
        locale, decimal_symbol, group_symbol = "en", ".", ","
    cleaned = text.strip()
    sign = cleaned[:1] if cleaned[:1] in ("-", "+") else ""
    cleaned = cleaned[len(sign) :]
    if group_symbol in ("\u00a0", "\u202f"):
        # Locales that group with a no-break space: people type an ordinary one.
        cleaned = cleaned.replace(" ", group_symbol).replace("\u00a0", group_symbol)
    allowed = set("0123456789") | {decimal_symbol, group_symbol}
    if not cleaned or (not cleaned[0].isdigit() and cleaned[0] != decimal_symbol):
        raise ValueError(f"{text!r} is not an amount")
    if any(character not in allowed for character in cleaned):
        raise ValueError(f"{text!r} is not an amount")
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError:
        raise ValueError(f"{text!r} can be read more than one way") from None
    return -value if sign == "-" else value


def format_amount(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """An amount as a person would type it back (no currency sign), with the currency's decimal places."""
    places = decimal_places(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    try:
        return format_decimal(quantize(amount, currency), format=pattern, locale=locale or active_locale())
    except UnknownLocaleError:
        return format_decimal(quantize(amount, currency), format=pattern, locale="en")


def format_money(amount: Decimal | None, currency: str, locale: str | None = None) -> str:
    """Localised display of an amount, e.g. “$1,234.50” or “¥1,234”, in the active language by default.

    Always with the ledger's decimal places: the locale's pattern supplies the sign, symbol and grouping,
    never the precision. CLDR shows HUF, ISK, COP, IDR and others in whole units, which would display
    10.45 HUF, as booked and as Stripe charges it, as “10 Ft”.
    """
    if amount is None:
        return ""
    try:
        parsed = Locale.parse(locale or active_locale())
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse("en")
    places = decimal_places(currency)
    pattern = copy.copy(parsed.currency_formats["standard"])
    pattern.frac_prec = (places, places)
    return pattern.apply(quantize(amount, currency), parsed, currency=currency.upper(), currency_digits=False)


# -- exchange rates ----------------------------------------------------------------------------------

# How a stored rate is held (``Payment.exchange_rate``): see the field for why these sizes.
RATE_DIGITS, RATE_PLACES = 20, 12


def exchange_rate(value: object) -> Decimal | None:
    """Stripe's ``exchange_rate`` (a JSON number, so a float here) as the Decimal Stripe wrote.

    ``Decimal(str(0.0067))`` is ``0.0067``, where ``Decimal(0.0067)`` would be the binary float's
    0.00670000000000000005…. None for null, and for anything that is not a positive rate the column holds.
    """
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        return None
    if not rate.is_finite() or rate <= 0 or rate >= Decimal(10) ** (RATE_DIGITS - RATE_PLACES):
        return None
    # More places than the column keeps would be rounded by the database, differently by each: do it here.
    # (A finite Decimal's exponent is an int; only NaN and infinities have a letter there.)
    places = -int(rate.as_tuple().exponent)
    return rate.quantize(Decimal(1).scaleb(-RATE_PLACES)) if places > RATE_PLACES else rate


def plain_rate(rate: Decimal) -> Decimal:
    """A stored rate without the column's trailing zeros: 0.006700000000 → 0.0067, never 1E+1 for 10."""
    normal = rate.normalize()
    return normal.quantize(Decimal(1)) if int(normal.as_tuple().exponent) > 0 else normal


def format_rate(rate: Decimal, locale: str | None = None) -> str:
    """A rate in the active language with every significant place: “0.0067”, “1,234.5” or “0,0067”."""
    pattern = "#,##0." + "#" * RATE_PLACES
    try:
        return format_decimal(plain_rate(rate), format=pattern, locale=locale or active_locale())
    except UnknownLocaleError:
        return format_decimal(plain_rate(rate), format=pattern, locale="en")


# -- how large an amount may be --------------------------------------------------------------------------

# One limit for every amount and every invoice total, in every currency: 12 integer digits and 3 decimals,
# 15 significant digits. SQLite stores decimals as REAL (Django reads them back with a 15-digit context),
# so more digits than that come back changed; and the columns (18 digits, 3 decimals) overflow on PostgreSQL
# once totals pass 15 integer digits. Everything within this limit is stored, summed and read back exactly.
LARGEST_AMOUNT = Decimal("999999999999.999")


def is_within_limit(amount: Decimal) -> bool:
    """True when the amount (or total, or balance, either sign) is within ``LARGEST_AMOUNT``."""
    # Checked before any quantize: 1E+26 cannot be quantized and would be reported as too precise.
    if isinstance(amount, int) and not isinstance(amount, bool):
        amount = Decimal(amount)
    return isinstance(amount, Decimal) and amount.is_finite() and abs(amount) <= LARGEST_AMOUNT


def largest_amount(currency: str) -> Decimal:
    """The largest amount with the currency's places: 999999999999.99 USD, 999999999999 JPY."""
    unit = _exponent(currency)
    # Rounded down, never up past the limit.
    return (LARGEST_AMOUNT - LARGEST_AMOUNT % unit).quantize(unit)


def limit_text(currency: str | None = None) -> str:
    """The limit as people read it: “$999,999,999,999.99” in a currency, “999,999,999,999.999” without."""
    if currency:
        return format_money(largest_amount(currency), currency)
    try:
        return format_decimal(LARGEST_AMOUNT, locale=active_locale())
    except UnknownLocaleError:
        return format_decimal(LARGEST_AMOUNT, locale="en")


def too_large_message(currency: str | None = None) -> str:
    """Why an amount above the limit is refused, naming the limit (in the currency when it is known)."""
    return str(
        _("That amount is too large: amounts are limited to %(largest)s.") % {"largest": limit_text(currency)}
    )
