"""The emails of a retainer, built from the firm's editable templates and sent by the task worker."""

from __future__ import annotations

import logging
from functools import partial

from anymail.message import AnymailMessage
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_tasks import task

from .. import mail
from ..firm import firm_details
from ..models import (
    BillingSettings,
    Subscription,
)
from .common import card_update_link, public_url, setup_link

logger = logging.getLogger(__name__)


# -- emails ---------------------------------------------------------------------------------------------


def email_values(subscription: Subscription) -> dict[str, str]:
    client = subscription.client
    site = subscription.site
    admin_base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return {
        "client_name": client.name,
        "contact_name": client.contact_name or client.name,
        "amount": subscription.display_amount,
        "interval": str(subscription.get_interval_display()),
        "description": subscription.description,
        "setup_link": setup_link(subscription),
        "subscription_link": public_url(subscription, "subscription"),
        "update_card_link": card_update_link(subscription),
        "admin_link": admin_base + reverse("caseflow_subscriptions:inspect", args=[subscription.pk]),
        **firm_details(site).merge_values(),
    }


def build_email(
    subscription: Subscription, slug: str, to: list[str], extra: dict[str, str]
) -> AnymailMessage:
    reply_to = BillingSettings.for_site(subscription.site).billing_email if subscription.site else ""
    return mail.build_email(
        slug,
        {**email_values(subscription), **extra},
        to=to,
        reply_to=reply_to,
        metadata={"subscription_id": str(subscription.pk)},
    )


@task()
def send_subscription_email(subscription_id: int, slug: str, to: list[str], extra: dict[str, str]) -> str:
    subscription = Subscription.objects.select_related("client", "site").get(pk=subscription_id)
    try:
        build_email(subscription, slug, to, extra).send()
    except Exception as error:
        # A mail failure never undoes what Stripe told us; the firm sees the state in the admin.
        logger.warning(
            "Subscription email %s for %s not sent: %s", slug, subscription_id, type(error).__name__
        )
        return "failed"
    return "sent"


def enqueue_email(
    subscription: Subscription, slug: str, to: list[str], extra: dict[str, str] | None = None
) -> None:
    transaction.on_commit(partial(send_subscription_email.enqueue, subscription.pk, slug, to, extra or {}))
