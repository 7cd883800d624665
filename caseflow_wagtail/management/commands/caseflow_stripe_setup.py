"""Configure a site's Payment Gateways from the command line: the same checks as the admin panel.

    python manage.py caseflow_stripe_setup --publishable-key pk_test_… --secret-key sk_test_… --enable --webhook

Keys may also come from CASEFLOW_STRIPE_PUBLISHABLE_KEY / CASEFLOW_STRIPE_SECRET_KEY, so they need not
appear in shell history.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from caseflow_wagtail import conf
from caseflow_wagtail.gateway_form import SAVE_WARNINGS
from caseflow_wagtail.models import PaymentGatewaySettings
from caseflow_wagtail.stripe_api import StripeFailure
from caseflow_wagtail.webhooks.registry import SUBSCRIBED_EVENTS
from caseflow_wagtail.webhooks.setup import WebhookUnreachable, connect_webhook, webhook_endpoint_url


class Command(BaseCommand):
    help = "Save Stripe keys for a site (checked with Stripe) and optionally set up its webhook endpoint."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", help="Site hostname or id (default: the default site).")
        parser.add_argument("--publishable-key", default=conf.environment_secret("stripe_publishable_key"))
        parser.add_argument("--secret-key", default=conf.environment_secret("stripe_secret_key"))
        parser.add_argument("--currencies", help="Currencies accepted, e.g. USD,CAD.")
        parser.add_argument("--enable", action="store_true", help="Turn online payments on.")
        parser.add_argument(
            "--allow-amount-edit", action="store_true", help="Let clients pay part of the balance."
        )
        parser.add_argument(
            "--allow-card-update", action="store_true", help="Let clients replace their card."
        )
        parser.add_argument(
            "--webhook", action="store_true", help="Create or repair the Stripe webhook endpoint."
        )

    def handle(self, *args, **options) -> None:
        site = self._site(options["site"])
        gateway = PaymentGatewaySettings.for_site(site)
        data = {
            "online_payments_enabled": options["enable"] or gateway.online_payments_enabled,
            "stripe_publishable_key": options["publishable_key"] or gateway.stripe_publishable_key,
            "stripe_secret_key": options["secret_key"],
            "description_template": gateway.description_template,
            "currencies_accepted": options["currencies"] or gateway.currencies_accepted,
            "allow_card_update": options["allow_card_update"] or gateway.allow_card_update,
            "allow_amount_edit": options["allow_amount_edit"] or gateway.allow_amount_edit,
        }
        warnings: list[str] = []
        token = SAVE_WARNINGS.set(warnings)
        try:
            # The very form the admin panel uses, with all its checks.
            form_class = PaymentGatewaySettings.edit_handler.bind_to_model(
                PaymentGatewaySettings
            ).get_form_class()
            form = form_class(data={k: v for k, v in data.items() if v not in (False, "")}, instance=gateway)
            if not form.is_valid():
                problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
                raise CommandError(f"Nothing was saved. {problems}")
            gateway = form.save()
        finally:
            SAVE_WARNINGS.reset(token)
        for warning in warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            f"{site}: Stripe keys saved ({gateway.mode or 'not configured'} mode, secret {gateway.secret_key_hint})."
        )
        if options["webhook"]:
            self._webhook(site, gateway)

    def _site(self, ref: str | None) -> Site:
        if not ref:
            site = Site.objects.filter(is_default_site=True).first()
        elif ref.isdigit():
            site = Site.objects.filter(pk=int(ref)).first()
        else:
            site = Site.objects.filter(hostname=ref).first()
        if site is None:
            raise CommandError(f"No site matches {ref!r}." if ref else "There is no default site.")
        return site

    def _webhook(self, site: Site, gateway: PaymentGatewaySettings) -> None:
        url = webhook_endpoint_url(site)
        try:
            endpoint_id = connect_webhook(site, gateway)
        except (WebhookUnreachable, StripeFailure) as failure:
            events = ",".join(SUBSCRIBED_EVENTS)
            raise CommandError(
                f"{failure}\nBy hand: in the Stripe Dashboard add the endpoint {url} with the events "
                f"{events}, then save its signing secret in Settings → Payment Gateways → Stripe webhook."
                f"\nOr locally, in test mode: stripe listen --forward-to {url} --events {events}"
                "\nand save the whsec_ secret it prints the same way."
            ) from failure
        self.stdout.write(f"Webhook active ({endpoint_id}) at {url}")
