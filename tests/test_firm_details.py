"""The firm's details (Settings → Billing): saved from the settings panel, shown on the invoice page with the
logo as a Wagtail rendition under the page's strict policy, and offered to the emails as merge fields."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image as PILImage
from playwright.sync_api import expect
from wagtail.images.models import Image, Rendition
from wagtail.models import Collection, Site

from caseflow_wagtail import ledger
from caseflow_wagtail.firm import firm_details
from caseflow_wagtail.headers import default_policy
from caseflow_wagtail.mail.messages import get_template
from caseflow_wagtail.models import BillingSettings, PaymentMethod
from tests.form_data import form_data

pytestmark = pytest.mark.django_db

FIRM = "Harbour & Finch LLP"
ADDRESS = "2 Quay Street\r\nPortsmouth PO1 2AB\r\nUnited Kingdom\r\n"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logo(media_root) -> Image:
    # Wagtail caches renditions by image id; ids come round again once a transactional test flushed them.
    for cache in caches.all():
        cache.clear()
    # A transactional test before this one flushed the root collection Wagtail's migration made.
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    data = io.BytesIO()
    PILImage.new("RGB", (600, 200), (20, 60, 120)).save(data, "PNG")
    return Image.objects.create(title="Harbour & Finch logo", file=ImageFile(data, name="logo.png"))


def set_firm(**fields) -> BillingSettings:
    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.firm_name = FIRM
    for name, value in fields.items():
        setattr(billing, name, value)
    billing.save()
    return billing


# -- Settings → Billing ----------------------------------------------------------------------------------


def test_the_settings_panel_saves_and_shows_the_firms_details(admin_client, home_page, logo):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["caseflow_wagtail", "billingsettings", site.pk])
    form = admin_client.get(url).content.decode()
    assert "The firm&#x27;s details" in form and 'name="firm_logo"' in form

    response = admin_client.post(
        url,
        form_data(form)
        | {
            "firm_name": FIRM,
            "invoice_number_prefix": "HF-",
            "billing_email": "accounts@harbourfinch.test",
            "firm_address": ADDRESS,
            "firm_phone": "+44 23 9200 0000",
            "firm_tax_number_label": "VAT number",
            "firm_tax_number": "GB123456789",
            "firm_logo": str(logo.pk),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    billing = BillingSettings.for_site(site)
    assert billing.firm_address.splitlines() == ["2 Quay Street", "Portsmouth PO1 2AB", "United Kingdom"]
    assert (billing.firm_phone, billing.firm_tax_number_label, billing.firm_tax_number) == (
        "+44 23 9200 0000",
        "VAT number",
        "GB123456789",
    )
    assert billing.firm_logo == logo
    shown = admin_client.get(url).content.decode()
    assert "2 Quay Street" in shown and "+44 23 9200 0000" in shown and "GB123456789" in shown
    assert "Harbour &amp; Finch logo" in shown  # the chosen image, in Wagtail's image chooser


def test_a_deleted_logo_leaves_the_settings_without_one(home_page, logo):
    set_firm(firm_logo=logo)
    logo.delete()
    assert BillingSettings.for_site(Site.objects.get(is_default_site=True)).firm_logo is None


def test_the_tax_number_is_labelled_tax_number_unless_the_firm_names_it(home_page):
    site = Site.objects.get(is_default_site=True)
    set_firm(firm_tax_number=" 12-3456789 ")
    assert firm_details(site).tax_number_line == "Tax number: 12-3456789"
    set_firm(firm_tax_number_label="ABN")
    assert firm_details(site).tax_number_line == "ABN: 12-3456789"
    set_firm(firm_tax_number="")
    assert firm_details(site).tax_number_line == ""


# -- the invoice page ------------------------------------------------------------------------------------


def test_the_invoice_page_shows_the_firms_details(client, make_invoice):
    set_firm(
        firm_address=ADDRESS,
        firm_phone="+44 23 9200 0000",
        firm_tax_number_label="VAT number",
        firm_tax_number="GB123456789",
    )
    page = client.get(make_invoice().url).content.decode()

    start = page.index('data-testid="firm"')
    firm = page[start : page.index("</div>", start)]
    assert "Harbour &amp; Finch LLP" in firm
    assert "<address>2 Quay Street<br>Portsmouth PO1 2AB<br>United Kingdom</address>" in firm
    assert "Phone: +44 23 9200 0000" in firm
    assert "VAT number: GB123456789" in firm


def test_the_address_is_escaped_on_the_invoice_page(client, make_invoice):
    set_firm(firm_address='<script>alert("x")</script>\n<b>Quay</b> Street')
    page = client.get(make_invoice().url).content.decode()

    assert "<script>alert" not in page and "<b>Quay</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;b&gt;Quay&lt;/b&gt; Street" in page


def test_a_firm_without_details_shows_the_page_as_before(client, make_invoice):
    set_firm()
    page = client.get(make_invoice().url).content.decode()
    assert 'data-testid="firm"' not in page and "<img" not in page
    assert '<p class="cf-firm">Harbour &amp; Finch LLP</p>' in page


def test_the_logo_is_a_rendition_named_by_the_firm(client, make_invoice, logo):
    set_firm(firm_logo=logo)
    page = client.get(make_invoice().url).content.decode()

    rendition = Rendition.objects.get(image=logo)
    assert rendition.width <= 480 and rendition.height <= 160  # not the 600 by 200 original
    assert f'src="{rendition.url}"' in page
    assert 'alt="Harbour &amp; Finch LLP"' in page and 'class="cf-firm__logo"' in page


def test_media_from_another_host_is_allowed_for_the_logo(settings):
    settings.MEDIA_URL = "https://media.harbourfinch.test/media/"
    images = next(part for part in default_policy().split("; ") if part.startswith("img-src"))
    assert images == "img-src 'self' data: https://media.harbourfinch.test"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_logo_loads_under_the_invoice_pages_policy(page, live_server, make_invoice, logo):
    set_firm(firm_logo=logo, firm_address=ADDRESS)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content" in message.text else None)

    page.goto(live_server.url + make_invoice().url)

    image = page.get_by_role("img", name=FIRM)
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
    expect(page.get_by_test_id("firm")).to_contain_text("Portsmouth PO1 2AB")
    assert violations == []


# -- emails ----------------------------------------------------------------------------------------------


def test_client_emails_offer_the_firms_details_and_firm_notices_do_not():
    receipt = get_template("payment-recorded")
    receipt.text_body = "{{ firm_name }}\n{{ firm_address }}\n{{ firm_phone }}\n{{ firm_tax_number }}"
    receipt.full_clean()
    for slug in (
        "invoice-sent",
        "subscription-setup",
        "subscription-payment-failed",
        "subscription-action-required",
    ):
        assert {"firm_address", "firm_phone", "firm_tax_number"} <= set(get_template(slug).merge_fields)

    notice = get_template("stripe-refund")
    notice.text_body = "{{ firm_address }}"
    with pytest.raises(ValidationError, match="firm_address"):
        notice.full_clean()


def test_the_merge_fields_are_listed_in_the_template_editor(admin_client, home_page):
    template = get_template("payment-recorded")
    url = reverse("wagtailsnippets_caseflow_wagtail_emailtemplate:edit", args=[template.pk])
    page = admin_client.get(url).content.decode()
    assert "{{ firm_address }}" in page and "{{ firm_phone }}" in page and "{{ firm_tax_number }}" in page


@pytest.mark.django_db(transaction=True)
def test_the_receipt_renders_the_firms_details(make_invoice):
    set_firm(
        firm_address="2 Quay Street\nPortsmouth <PO1>",
        firm_phone="+44 23 9200 0000",
        firm_tax_number_label="VAT number",
        firm_tax_number="GB123456789",
    )
    template = get_template("payment-recorded")
    template.text_body = (
        "Paid.\n\n{{ firm_name }}\n{{ firm_address }}\n{{ firm_phone }}\n{{ firm_tax_number }}\n"
    )
    template.html_body = "<p>{{ firm_address }}</p><p>{{ firm_tax_number }}</p>"
    template.full_clean()
    template.save()
    invoice = make_invoice()

    ledger.record_payment(
        invoice, amount=Decimal("40.00"), currency=invoice.currency, method=PaymentMethod.BANK_TRANSFER
    )

    (receipt,) = mail.outbox
    assert receipt.body == (
        "Paid.\n\nHarbour & Finch LLP\n2 Quay Street\nPortsmouth <PO1>\n+44 23 9200 0000\n"
        "VAT number: GB123456789\n"
    )
    html, _mime = receipt.alternatives[0]
    assert html == "<p>2 Quay Street\nPortsmouth &lt;PO1&gt;</p><p>VAT number: GB123456789</p>"
