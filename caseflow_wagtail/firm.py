"""The firm's details from Settings → Billing, gathered once for whatever shows them: the invoice page and
the emails' merge fields. Nothing else reads those fields, so a default (the tax number's label, the site's
name for the firm's) is decided here only.

Imports only ``models.settings``; the invoices, mail and subscriptions parts import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from .models.settings import BillingSettings

if TYPE_CHECKING:
    from wagtail.images.models import Image
    from wagtail.models import Site


@dataclass(frozen=True, slots=True)
class FirmDetails:
    name: str = ""
    address: str = ""
    phone: str = ""
    tax_number: str = ""
    tax_number_label: str = ""
    logo: Image | None = None
    # Where clients write to (the billing email): printed on the PDFs.
    email: str = ""

    @property
    def tax_number_line(self) -> str:
        """E.g. "VAT number: GB123456789"; empty when the firm gave no number."""
        if not self.tax_number:
            return ""
        return gettext("%(label)s: %(number)s") % {"label": self.tax_number_label, "number": self.tax_number}

    @property
    def has_details(self) -> bool:
        return bool(self.address or self.phone or self.tax_number)

    def merge_values(self) -> dict[str, str]:
        """The emails' firm merge fields (``models.emails.FIRM_MERGE_FIELDS``)."""
        return {
            "firm_name": self.name,
            "firm_address": self.address,
            "firm_phone": self.phone,
            "firm_tax_number": self.tax_number_line,
        }


def firm_details(site: Site | None) -> FirmDetails:
    """The firm behind ``site``; empty details for no site (an unsaved preview outside any site)."""
    if site is None:
        return FirmDetails()
    billing = BillingSettings.for_site(site)
    return FirmDetails(
        name=billing.get_firm_name(),
        # Editors paste addresses with Windows line endings and trailing blank lines.
        address="\n".join(line.rstrip() for line in billing.firm_address.strip().splitlines()),
        phone=billing.firm_phone.strip(),
        tax_number=billing.firm_tax_number.strip(),
        tax_number_label=billing.firm_tax_number_label.strip() or gettext("Tax number"),
        logo=billing.firm_logo,
        email=billing.billing_email,
    )
