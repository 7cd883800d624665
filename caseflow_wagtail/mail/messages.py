"""Every email the plugin sends is built here: the firm's editable template (Settings → Email templates),
rendered with the values of the moment, as an anymail message tagged with the template's slug.

Callers choose the recipients, the values and the metadata that lets anymail's tracking webhooks find the
record again; sending, and what a failure means, stays with them (receipts at most once, notices best
effort). Any anymail backend can deliver and report on these messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from anymail.message import AnymailMessage
from django.conf import settings

from ..models import EmailTemplate
from ..models.emails import MessageTemplate
from .defaults import DEFAULTS

if TYPE_CHECKING:
    from ..pdfs.documents import Pdf


def get_template(slug: str) -> EmailTemplate:
    """The firm's template for ``slug``, created from the built-in text the first time it is needed."""
    template, _created = EmailTemplate.objects.get_or_create(slug=slug, defaults=DEFAULTS[slug])
    return template


def build_email(
    slug: str,
    values: Mapping[str, str],
    *,
    to: list[str],
    metadata: Mapping[str, str],
    reply_to: str = "",
    cc: list[str] | None = None,
) -> AnymailMessage:
    """The email of template ``slug`` with these values, from ``DEFAULT_FROM_EMAIL``."""
    return compose(get_template(slug), slug, values, to=to, metadata=metadata, reply_to=reply_to, cc=cc)


def compose(
    template: MessageTemplate,
    tag: str,
    values: Mapping[str, str],
    *,
    to: list[str],
    metadata: Mapping[str, str],
    reply_to: str = "",
    cc: list[str] | None = None,
) -> AnymailMessage:
    """The email of any editable template (a reminder step's too), tagged ``tag``."""
    subject, text, html = template.render(dict(values))
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=cc or None,
        reply_to=[reply_to] if reply_to else None,
        tags=[tag],
        metadata=dict(metadata),
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def attach_pdf(
    message: AnymailMessage, make: Callable[[], Pdf], *, logger: logging.Logger, what: str
) -> bool:
    """Attach the PDF ``make`` renders, when it can be made. A PDF that fails (a missing system library, a
    broken template override) is logged on the caller's ``logger`` naming ``what``, and never costs the
    email: it goes without it. Returns whether the PDF was attached."""
    try:
        pdf = make()
    except Exception:
        logger.exception("%s not attached; the email goes without it", what)
        return False
    message.attach(pdf.filename, pdf.content, "application/pdf")
    return True
