"""StreamField blocks for invoice pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class PayNowBlock(blocks.StructBlock):
    """Where the client pays by card. Renders nothing when the invoice cannot be paid online right now."""

    label = blocks.CharBlock(label=_("Button label"), default=_("Pay Now"), max_length=60)
    help_text = blocks.TextBlock(
        label=_("Text beside the button"),
        required=False,
        default=_("Pay securely by card. You will be taken to Stripe to enter your card details."),
    )

    class Meta:
        icon = "credit-card"
        label = _("Pay Now button")
        template = "caseflow_wagtail/blocks/pay_now.html"


def body_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("paragraph", blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])),
        ("pay_now", PayNowBlock()),
    ]
