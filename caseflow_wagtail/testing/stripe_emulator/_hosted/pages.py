"""Server-rendered hosted pages (Checkout, 3-D Secure, customer portal): no scripts, no external assets.

The HTML of each page and the answers a page handler gives (``Page`` or ``Redirect``); the handlers are
the other modules of this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from .._core import THREE_DECIMAL, ZERO_DECIMAL


@dataclass(frozen=True)
class Page:
    """A hosted page's answer: an HTML page with its status."""

    status: int
    html: str


@dataclass(frozen=True)
class Redirect:
    """A hosted page's answer: 303 See Other to ``url``."""

    url: str


Response = Page | Redirect

SYMBOLS = {
    "usd": "$",
    "eur": "€",
    "gbp": "£",
    "jpy": "¥",
    "aud": "A$",
    "cad": "CA$",
    "nzd": "NZ$",
    "inr": "₹",
}

STYLESHEET = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f6f8fa;color:#1a1f36;
margin:0}
main{max-width:880px;margin:2rem auto;display:flex;gap:2rem;flex-wrap:wrap;align-items:flex-start;
padding:0 1rem}
section{flex:1 1 320px;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.1rem;margin:0 0 .25rem} .badge{background:#ffde92;color:#663c00;border-radius:4px;
padding:.1rem .4rem;font-size:.75rem;font-weight:600;margin-left:.5rem}
.total{font-size:2rem;font-weight:600;margin:.5rem 0 1rem} table{width:100%;border-collapse:collapse}
td{padding:.35rem 0;border-bottom:1px solid #e3e8ee} td.amount{text-align:right}
label{display:block;font-size:.85rem;margin:.75rem 0 .25rem} input{width:100%;box-sizing:border-box;
padding:.55rem;border:1px solid #cfd7df;border-radius:6px;font-size:1rem} .row{display:flex;gap:.75rem}
button{margin-top:1.25rem;width:100%;padding:.75rem;border:0;border-radius:6px;background:#635bff;color:#fff;
font-size:1rem;font-weight:600;cursor:pointer} button.secondary{background:#e3e8ee;color:#1a1f36}
.error{background:#fde2e1;color:#a41c1c;border-radius:6px;padding:.6rem .8rem;margin-top:1rem}
.notice{background:#e6f4ea;color:#1e5e2f;border-radius:6px;padding:.6rem .8rem;margin-top:1rem}
.hint{color:#697386;font-size:.8rem;margin-top:1rem} a{color:#635bff}
"""


def format_amount(amount: int | None, currency: str | None) -> str:
    if amount is None or not currency:
        return ""
    code = currency.lower()
    places = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    value = amount / (10**places)
    text = f"{value:,.{places}f}"
    symbol = SYMBOLS.get(code)
    return f"{symbol}{text}" if symbol else f"{text} {code.upper()}"


def document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="/_emulator/static/pages.css"></head>'
        f"<body><main>{body}</main></body></html>"
    )


def _card_fields(values: dict[str, str]) -> str:
    def value(name: str) -> str:
        return escape(values.get(name, ""), quote=True)

    return (
        f'<label for="cardnumber">Card number</label>'
        f'<input id="cardnumber" name="cardnumber" inputmode="numeric" autocomplete="cc-number" '
        f'placeholder="1234 1234 1234 1234" value="{value("cardnumber")}" required>'
        '<div class="row"><div><label for="exp">Expiry</label>'
        f'<input id="exp" name="exp" autocomplete="cc-exp" placeholder="MM / YY" value="{value("exp")}" '
        'required></div><div><label for="cvc">CVC</label>'
        f'<input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" '
        f'value="{value("cvc")}" required></div></div>'
        '<label for="name">Name on card</label>'
        f'<input id="name" name="name" autocomplete="cc-name" value="{value("name")}">'
    )


def checkout_page(
    session: dict[str, Any],
    items: list[dict[str, Any]],
    merchant: str,
    error: str | None = None,
    values: dict[str, str] | None = None,
    trial_days: int | None = None,
) -> str:
    values = values or {}
    title = f"Pay {merchant}"
    lines = "".join(
        f"<tr><td>{escape(item['description'])}"
        + (f" x {item['quantity']}" if item["quantity"] != 1 else "")
        + (
            f" <small>per {escape(item['price']['recurring']['interval'])}</small>"
            if item["price"].get("recurring")
            else ""
        )
        + f'</td><td class="amount">{format_amount(item["amount_total"], item["currency"])}</td></tr>'
        for item in items
    )
    total = format_amount(session["amount_total"], session["currency"])
    summary = (
        f'<section aria-label="Order summary"><h1>{escape(merchant)}<span class="badge">TEST MODE</span></h1>'
        + (
            f'<div class="total" data-testid="total">{total}</div>'
            if total
            else "<p>Save a card for future payments.</p>"
        )
        + (f'<p id="trial">{trial_days}-day free trial: nothing is charged today.</p>' if trial_days else "")
        + (f"<table>{lines}</table>" if lines else "")
        + (
            f'<p class="hint"><a href="{escape(session["cancel_url"], quote=True)}" id="cancel">'
            f"← Back to {escape(merchant)}</a></p>"
            if session.get("cancel_url")
            else ""
        )
        + "</section>"
    )
    email = escape(values.get("email") or session.get("customer_email") or "", quote=True)
    button = {"payment": f"Pay {total}", "subscription": "Subscribe", "setup": "Save card"}[session["mode"]]
    if trial_days:
        button = "Start trial"
    form = (
        '<section aria-label="Payment"><h1>Pay with card</h1>'
        + (f'<div class="error" role="alert" id="error">{escape(error)}</div>' if error else "")
        + f'<form method="post" action="/checkout/{escape(session["id"])}">'
        f'<label for="email">Email</label><input id="email" name="email" type="email" value="{email}">'
        + _card_fields(values)
        + f'<button type="submit" id="submit">{escape(button)}</button></form>'
        '<p class="hint">Test mode: use 4242 4242 4242 4242, any future expiry and any CVC.</p></section>'
    )
    return document(title, summary + form)


def message_page(title: str, message: str, link: tuple[str, str] | None = None) -> str:
    body = f'<section><h1>{escape(title)}</h1><p id="message">{escape(message)}</p>'
    if link:
        body += f'<p><a href="{escape(link[0], quote=True)}">{escape(link[1])}</a></p>'
    return document(title, body + "</section>")


def authenticate_page(action: str, merchant: str, amount: str) -> str:
    body = (
        '<section aria-label="3D Secure"><h1>3D Secure 2 Test Page</h1>'
        f"<p>{escape(merchant)} asks your bank to confirm this payment"
        + (f" of <strong>{escape(amount)}</strong>" if amount else "")
        + ".</p>"
        f'<form method="post" action="{escape(action, quote=True)}">'
        '<button type="submit" name="outcome" value="complete" id="complete">Complete</button>'
        '<button type="submit" name="outcome" value="fail" id="fail" class="secondary">Fail</button>'
        "</form></section>"
    )
    return document("Authenticate payment", body)


def portal_page(
    session: dict[str, Any],
    customer: dict[str, Any],
    card: dict[str, Any] | None,
    subscriptions: list[dict[str, Any]],
    merchant: str,
    error: str | None = None,
    notice: str | None = None,
) -> str:
    current = (
        f"{escape(card['brand'].title())} •••• {escape(card['last4'])}, expires "
        f"{card['exp_month']:02d}/{card['exp_year']}"
        if card
        else "No card on file"
    )
    subs = "".join(
        f'<tr><td>{escape(s["id"])}</td><td class="amount">{escape(s["status"])}'
        + (" (cancels at period end)" if s["cancel_at_period_end"] else "")
        + "</td></tr>"
        for s in subscriptions
    )
    back = session.get("return_url")
    body = (
        f'<section aria-label="Account"><h1>{escape(merchant)}<span class="badge">TEST MODE</span></h1>'
        f"<p>{escape(customer.get('name') or '')} {escape(customer.get('email') or '')}</p>"
        f'<p>Default payment method: <strong id="current-card">{current}</strong></p>'
        + (f"<table>{subs}</table>" if subs else "")
        + (
            f'<p><a href="{escape(back, quote=True)}" id="return">← Return to {escape(merchant)}</a></p>'
            if back
            else ""
        )
        + '</section><section aria-label="Update card"><h1>Replace card</h1>'
        + (f'<div class="error" role="alert" id="error">{escape(error)}</div>' if error else "")
        + (f'<div class="notice" id="notice">{escape(notice)}</div>' if notice else "")
        + f'<form method="post" action="/billing_portal/{escape(session["id"])}">'
        + _card_fields({})
        + '<button type="submit" id="submit">Update card</button></form></section>'
    )
    return document(f"{merchant} billing", body)


def parse_expiry(form: dict[str, str]) -> dict[str, str]:
    """Split the single ``MM / YY`` field the page shows into Stripe's month and year."""
    if form.get("exp_month") and form.get("exp_year"):
        return form
    digits = "".join(ch for ch in form.get("exp", "") if ch.isdigit() or ch == "/")
    month, _, year = digits.partition("/")
    if not year and len(month) in (4, 6):
        month, year = month[:2], month[2:]
    return {**form, "exp_month": month, "exp_year": year}
