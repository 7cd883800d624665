"""Rendering objects at an older Stripe API version than the pinned one.

Stripe renders an Event's ``data.object`` at the API version the event was created with: the account's
default version for ``GET /v1/events`` and ``/v1/events/{id}`` (whatever Stripe-Version the request sends),
the endpoint's ``api_version`` for webhook deliveries (stripe-python's EventService.list: "Each event data is
rendered according to Stripe API version at its creation time, specified in event object api_version
attribute (not according to your current Stripe API version or Stripe-Version header)"). The emulator keeps objects in the pinned shape and
turns a copy into the older shape here.

Only one older version is rendered faithfully: ``2024-06-20``, the last version before acacia/basil, whose
differences matter to code that reads invoices, subscriptions and payments. Between 2024-06-20 and the pinned
version Stripe changed, for the objects this emulator serves (docs.stripe.com/changelog):

- basil 2025-03-31 "Adds support for multiple (partial) payments on invoices"
  (changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices): removed
  ``payment_intent``, ``charge``, ``paid`` and ``paid_out_of_band`` from Invoice, and ``invoice`` from
  PaymentIntent and Charge; added ``amount_overpaid`` and invoice ``payments``.
- basil 2025-03-31 "Invoicing resources now specify how they were generated"
  (changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects): Invoice ``subscription``,
  ``subscription_details``, ``quote`` and ``subscription_proration_date`` moved under ``parent``; invoice line
  items' ``subscription``/``subscription_item``/``type``/``proration`` moved under their ``parent``.
- basil 2025-03-31 "Adds subscription item-level billing periods and removes subscription-level periods"
  (changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end): Subscription
  ``current_period_start``/``current_period_end`` moved to each subscription item.

Any other version is rendered in the pinned shape (the emulator knows no other differences).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ._core import API_VERSION

if TYPE_CHECKING:
    from ._core import Account

PRE_BASIL = "2024-06-20"
# Versions whose shape differs from the pinned one, oldest first; a version sorts by its date prefix.
RENDERED = (PRE_BASIL,)
BASIL = "2025-03-31"


def known(version: str) -> bool:
    return version == API_VERSION or version in RENDERED


def _before_basil(version: str | None) -> bool:
    return bool(version and version[:10] < BASIL)


def render(acct: Account, obj: dict[str, Any], version: str | None) -> dict[str, Any]:
    """A copy of ``obj`` (pinned shape) as Stripe would render it at ``version``."""
    if not _before_basil(version):
        return obj
    out = copy.deepcopy(obj)
    kind = out.get("object")
    if kind == "invoice":
        _invoice(acct, out)
    elif kind == "subscription":
        _subscription(out)
    elif kind in ("payment_intent", "charge"):
        out["invoice"] = _invoice_of(acct, out)
    return out


def render_event(acct: Account, event: dict[str, Any], version: str | None = None) -> dict[str, Any]:
    """The event with ``data.object`` (and ``previous_attributes``) at ``version`` (default: its own)."""
    version = version or event.get("api_version")
    if not _before_basil(version):
        return event
    out = dict(event)
    out["data"] = dict(event["data"])
    out["data"]["object"] = render(acct, event["data"]["object"], version)
    return out


def _invoice_payment_intent(acct: Account, invoice_id: str) -> dict[str, Any] | None:
    pi_id = acct.priv(invoice_id).get("payment_intent")
    return acct.find("payment_intent", pi_id) if pi_id else None


def _invoice_of(acct: Account, obj: dict[str, Any]) -> str | None:
    pi_id = obj["id"] if obj["object"] == "payment_intent" else obj.get("payment_intent")
    for invoice in acct.all("invoice"):
        if pi_id and acct.priv(invoice["id"]).get("payment_intent") == pi_id:
            return invoice["id"]
    return None


def _invoice(acct: Account, inv: dict[str, Any]) -> None:
    parent = inv.pop("parent", None) or {}
    details = parent.get("subscription_details") or {}
    inv["subscription"] = details.get("subscription") or inv.get("subscription")
    inv["subscription_details"] = {"metadata": details.get("metadata")} if details else None
    inv["quote"] = (parent.get("quote_details") or {}).get("quote")
    inv["subscription_proration_date"] = None
    pi = _invoice_payment_intent(acct, inv["id"])
    inv["payment_intent"] = pi["id"] if pi else None
    inv["charge"] = pi.get("latest_charge") if pi and pi["status"] == "succeeded" else None
    inv["paid"] = inv["status"] == "paid"
    inv["paid_out_of_band"] = False
    for key in ("payments", "amount_overpaid", "confirmation_secret", "total_pretax_credit_amounts"):
        inv.pop(key, None)
    for line in (inv.get("lines") or {}).get("data", []):
        _invoice_line(acct, line)


def _invoice_line(acct: Account, line: dict[str, Any]) -> None:
    parent = line.pop("parent", None) or {}
    item_details = parent.get("subscription_item_details") or {}
    line["subscription"] = item_details.get("subscription")
    line["subscription_item"] = item_details.get("subscription_item")
    line["proration"] = bool(item_details.get("proration"))
    line["type"] = "subscription" if item_details else "invoiceitem"
    pricing = line.pop("pricing", None) or {}
    price_id = (pricing.get("price_details") or {}).get("price")
    if price_id and "price" not in line:
        line["price"] = acct.find("price", price_id) or price_id  # the Price object, as lines carried then


def _subscription(sub: dict[str, Any]) -> None:
    items = (sub.get("items") or {}).get("data") or []
    if items:
        sub["current_period_start"] = items[0].get("current_period_start")
        sub["current_period_end"] = items[0].get("current_period_end")
    for item in items:
        item.pop("current_period_start", None)
        item.pop("current_period_end", None)
