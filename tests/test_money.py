"""Exact money at the Stripe boundary: minor units, precision, rounding, minimums, codes and display."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow_wagtail import money

NBSP = "\xa0"
NNBSP = "\u202f"


# -- minor units ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("0.01", "USD", 1),
        ("10.05", "USD", 1005),
        ("1234.50", "USD", 123450),
        ("0.5", "USD", 50),
        ("1", "JPY", 1),
        ("50", "JPY", 50),
        ("123456", "JPY", 123456),
        ("0.010", "KWD", 10),
        ("1.5", "KWD", 1500),
        ("12.340", "KWD", 12340),
        ("3.21", "BHD", 3210),
    ],
)
def test_minor_units_round_trip(amount, currency, minor):
    value = Decimal(amount)

    assert money.to_minor_units(value, currency) == minor
    back = money.from_minor_units(minor, currency)
    assert back == value
    # The way back carries the currency's own precision, so it prints as the currency is written.
    assert back.as_tuple().exponent == -money.decimal_places(currency)


@pytest.mark.parametrize(("currency", "places"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3)])
def test_decimal_places_per_currency_class(currency, places):
    assert money.decimal_places(currency) == places
    assert money.decimal_places(currency.lower()) == places


@pytest.mark.parametrize("amount", ["1.001", "0.015", "12.345"])
def test_three_decimal_amounts_must_end_in_zero_for_stripe(amount):
    # Valid KWD (three places) but Stripe cannot settle a last digit other than 0.
    assert money.has_valid_precision(Decimal(amount), "KWD")
    with pytest.raises(ValueError, match=r"multiple of 0\.010"):
        money.to_minor_units(Decimal(amount), "KWD")


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("10.005", "USD"), ("0.001", "EUR"), ("10.5", "JPY"), ("1.0001", "KWD"), ("0.0005", "BHD")],
)
def test_too_many_decimals_are_refused_not_rounded(amount, currency):
    assert not money.has_valid_precision(Decimal(amount), currency)
    with pytest.raises(ValueError, match="more decimal places"):
        money.to_minor_units(Decimal(amount), currency)


def test_trailing_zeros_are_not_extra_precision():
    assert money.to_minor_units(Decimal("10.500000"), "USD") == 1050
    assert money.to_minor_units(Decimal("1E+3"), "JPY") == 1000
    assert money.to_minor_units(Decimal("7.00"), "JPY") == 7


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_amounts_have_no_valid_precision(amount):
    assert not money.has_valid_precision(Decimal(amount), "USD")
    with pytest.raises(ValueError):
        money.to_minor_units(Decimal(amount), "USD")


# -- rounding ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "USD", "0.01"),
        ("0.015", "USD", "0.02"),
        ("0.025", "USD", "0.03"),  # half-up, not banker's rounding (which gives 0.02)
        ("2.675", "USD", "2.68"),
        ("0.004", "USD", "0.00"),
        ("-0.005", "USD", "-0.01"),  # away from zero, symmetric for credits
        ("0.5", "JPY", "1"),
        ("2.5", "JPY", "3"),
        ("2.4999", "JPY", "2"),
        ("0.0005", "KWD", "0.001"),
        ("1.2345", "KWD", "1.235"),
        ("1.2344", "KWD", "1.234"),
    ],
)
def test_quantize_rounds_half_up_to_the_smallest_unit(amount, currency, expected):
    result = money.quantize(Decimal(amount), currency)

    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -money.decimal_places(currency)


def test_quantize_accepts_strings_and_integers():
    assert money.quantize("19.999", "USD") == Decimal("20.00")
    assert money.quantize(3, "KWD") == Decimal("3.000")


# -- minimums ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "minimum"),
    [("USD", "0.50"), ("usd", "0.50"), ("EUR", "0.50"), ("GBP", "0.30"), ("JPY", "50"), ("HUF", "175.00")],
)
def test_documented_minimum_charges(currency, minimum):
    assert money.minimum_charge(currency) == Decimal(minimum)


@pytest.mark.parametrize("currency", ["KWD", "BHD", "JOD", "OMR", "TND"])
def test_three_decimal_minimum_is_chargeable_by_stripe(currency):
    minimum = money.minimum_charge(currency)

    assert minimum > 0
    # The smallest amount that is accepted must also pass the Stripe conversion (ends in 0).
    assert money.to_minor_units(minimum, currency) % 10 == 0


@pytest.mark.parametrize(("currency", "smallest"), [("KRW", "1"), ("ZAR", "0.01")])
def test_undocumented_minimum_is_the_smallest_unit(currency, smallest):
    assert money.minimum_charge(currency) == Decimal(smallest)


# -- ISO 4217 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "normalised"), [("usd", "USD"), (" eur ", "EUR"), ("Kwd", "KWD"), ("JPY", "JPY")]
)
def test_currency_codes_are_normalised(code, normalised):
    assert money.normalize_currency(code) == normalised


@pytest.mark.parametrize(
    "code", ["ABC", "ZZZ", "US", "USDD", "U1D", "", "   ", None, "XXX", "XTS", "xau", "XDR"]
)
def test_unknown_currency_codes_are_refused_with_the_value_named(code):
    with pytest.raises(ValidationError) as error:
        money.normalize_currency(code)

    assert error.value.code == "invalid_currency"
    assert str(code) in error.value.messages[0]


# -- display -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "amount", "currency", "expected"),
    [
        ("en", "1234.5", "USD", "$1,234.50"),
        ("en", "1234", "JPY", "¥1,234"),
        ("en", "1234.5", "KWD", "KWD1,234.500"),
        ("fr", "1234.5", "EUR", f"1{NNBSP}234,50{NBSP}€"),
        ("fr", "1234", "JPY", f"1{NNBSP}234{NBSP}JPY"),
        ("de", "1234.5", "EUR", f"1.234,50{NBSP}€"),
        ("de", "1234.5", "KWD", f"1.234,500{NBSP}KWD"),
    ],
)
def test_format_money_in_an_explicit_locale(locale, amount, currency, expected):
    assert money.format_money(Decimal(amount), currency, locale) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,234.50"), ("fr", f"1{NNBSP}234,50{NBSP}€"), ("de", f"1.234,50{NBSP}€")],
)
def test_format_money_follows_the_active_language(language, expected):
    with translation.override(language):
        assert money.format_money(Decimal("1234.5"), "EUR") == expected


def test_format_money_rounds_for_display_and_handles_missing_amounts():
    assert money.format_money(Decimal("0.005"), "USD", "en") == "$0.01"
    assert money.format_money(Decimal("99.5"), "JPY", "en") == "¥100"
    assert money.format_money(None, "USD") == ""


def test_format_money_falls_back_to_english_for_an_unknown_locale():
    assert money.format_money(Decimal("1"), "USD", "xx_YY") == "$1.00"


@pytest.mark.parametrize(
    ("text", "locale", "amount"),
    [
        ("1,234.50", "en_US", "1234.50"),
        ("1234.5", "en_US", "1234.5"),
        (" 40.10 ", "en_GB", "40.10"),
        ("1.234,50", "de_DE", "1234.50"),
        ("10,50", "de_DE", "10.50"),
        ("1 234,50", "fr_FR", "1234.50"),
        ("1\u202f234,50", "fr_FR", "1234.50"),
        ("-5.00", "en_US", "-5.00"),
    ],
)
def test_amounts_are_read_in_the_clients_locale(text, locale, amount):
    assert money.parse_amount(text, locale) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("10,00", "en_US"),
        ("1_000", "en_US"),
        ("1e3", "en_US"),
        ("NaN", "en_US"),
        ("", "en_US"),
        ("12.34.56", "en_US"),
        ("$10", "en_US"),
        ("10.00", "de_DE"),
        ("\u0661\u0660", "en_US"),
    ],
)
def test_ambiguous_or_odd_amounts_are_refused(text, locale):
    with pytest.raises(ValueError):
        money.parse_amount(text, locale)


def test_an_amount_is_shown_back_with_the_currencys_places():
    assert money.format_amount(Decimal("1234.5"), "USD", "en_US") == "1,234.50"
    assert money.format_amount(Decimal("1234.5"), "EUR", "de_DE") == "1.234,50"
    assert money.format_amount(Decimal("1234"), "JPY", "en_US") == "1,234"
    assert money.format_amount(Decimal("1.5"), "KWD", "en_US") == "1.500"


# -- what is shown equals what is booked --------------------------------------------------------------

DISPLAY_LOCALES = ["en", "en_IN", "de_DE", "fr_CH", "hu_HU", "is_IS", "id_ID", "ar_EG", "fa_IR", "ja_JP"]


def shown_digits(text: str) -> str:
    """The digits a reader sees, whatever the script (Arabic-Indic and Persian digits included)."""
    return "".join(str(unicodedata.digit(character)) for character in text if character.isdigit())


@pytest.mark.parametrize("locale", DISPLAY_LOCALES)
@pytest.mark.parametrize("currency", sorted(money.STRIPE_CURRENCIES))
def test_every_booked_minor_unit_is_shown_in_every_locale(currency, locale):
    booked = money.quantize(Decimal("1234567.891"), currency)

    shown = money.format_money(booked, currency, locale)

    assert shown_digits(shown) == str(int(booked.scaleb(money.decimal_places(currency)))), shown


@pytest.mark.parametrize(
    "currency, locale, expected",
    [
        ("HUF", "hu_HU", "10,45\xa0Ft"),
        ("ISK", "en", "ISK10.45"),
        ("COP", "en", "COP10.45"),
        ("IDR", "id_ID", "Rp10,45"),
        ("JPY", "ja_JP", "￥10"),
        ("KWD", "en", "KWD10.450"),
    ],
)
def test_currencies_cldr_shows_in_whole_units_keep_their_booked_decimals(currency, locale, expected):
    assert money.format_money(money.quantize(Decimal("10.45"), currency), currency, locale) == expected


# -- what Stripe can charge (docs.stripe.com/currencies#special-cases) ---------------------------------


@pytest.mark.parametrize(
    "currency, step",
    [
        ("KWD", "0.010"),
        ("BHD", "0.010"),
        ("ISK", "1.00"),
        ("USD", "0.01"),
        ("HUF", "0.01"),
        ("TWD", "0.01"),
        ("JPY", "1"),
        ("UGX", "1"),
    ],
)
def test_the_charge_step_per_currency(currency, step):
    assert money.charge_step(currency) == Decimal(step)
    assert str(money.charge_step(currency)) == step


@pytest.mark.parametrize(
    "amount, currency, chargeable",
    [
        ("10.005", "KWD", "10.000"),
        ("10.010", "KWD", "10.010"),
        ("40.10", "ISK", "40.00"),
        ("40.99", "ISK", "40.00"),
        ("10.45", "HUF", "10.45"),
        ("10.45", "TWD", "10.45"),
        ("0.009", "KWD", "0.000"),
    ],
)
def test_the_chargeable_part_is_rounded_down_never_up(amount, currency, chargeable):
    part = money.chargeable_part(Decimal(amount), currency)
    assert part == Decimal(chargeable) and str(part) == chargeable
    assert money.is_chargeable(part, currency)


def test_isk_is_sent_to_stripe_as_two_decimals_in_whole_kronur():
    assert money.to_minor_units(Decimal("40.00"), "ISK") == 4000
    with pytest.raises(ValueError, match=r"multiple of 1\.00"):
        money.to_minor_units(Decimal("40.10"), "ISK")
    assert money.minimum_charge("ISK") == Decimal("1.00")


def test_charge_step_messages_name_the_rule():
    assert money.charge_step_message("KWD") == "Card payments in KWD are in steps of 0.010."
    assert money.charge_step_message("ISK") == "Card payments in ISK are in whole units."


@settings(max_examples=400, deadline=None)
@given(
    currency=st.sampled_from(sorted(money.STRIPE_CURRENCIES)),
    minor=st.integers(min_value=0, max_value=999_999_999_999_999),
    locale=st.sampled_from(DISPLAY_LOCALES),
)
def test_any_amount_in_any_currency_is_shown_exactly_and_charged_without_rounding_up(currency, minor, locale):
    amount = Decimal(minor).scaleb(-money.decimal_places(currency))

    assert int(shown_digits(money.format_money(amount, currency, locale))) == minor
    part = money.chargeable_part(amount, currency)
    assert money.is_chargeable(part, currency)
    assert Decimal(0) <= amount - part < money.charge_step(currency)
    if Decimal(0) < part <= money.maximum_charge(currency):
        sent = money.to_minor_units(part, currency)
        assert sent <= money.STRIPE_MAXIMUM_MINOR
        assert money.from_minor_units(sent, currency) == part


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        (0.0067, Decimal("0.0067")),  # as Stripe wrote it, not the float's 0.00670000000000000005…
        (1.2345678, Decimal("1.2345678")),
        (1e-05, Decimal("0.00001")),
        (52000.5, Decimal("52000.5")),
        (1, Decimal("1")),
        ("0.0067", Decimal("0.0067")),
        (0.0000111731843575, Decimal("0.000011173184")),  # more places than the column keeps: rounded here
    ],
)
def test_stripe_exchange_rates_are_read_as_written(value, rate):
    assert money.exchange_rate(value) == rate


@pytest.mark.parametrize("value", [None, True, 0, -1.5, "NaN", "inf", "x", 1e9, [1]])
def test_what_is_not_a_storable_rate_is_none(value):
    assert money.exchange_rate(value) is None


def test_rates_are_shown_with_every_significant_place_and_no_exponent():
    assert money.plain_rate(Decimal("0.006700000000")) == Decimal("0.0067")
    assert str(money.plain_rate(Decimal("10.000000000000"))) == "10"
    assert money.format_rate(Decimal("0.006700000000"), locale="en") == "0.0067"
    assert money.format_rate(Decimal("1234.5"), locale="de") == "1.234,5"
