"""Email: one builder for every message, the firm's editable templates, and receipts sent at most once.

- ``messages``: ``build_email`` — the firm's template (Settings → Email templates) rendered with the values
  of the moment, as an anymail message tagged with the template's slug; ``attach_pdf``, the optional PDF
  that never costs the email;
- ``defaults``: each template's default subject and body (data migrations create them from here);
- ``receipts``: a payment's receipt, claimed before it is sent so that no retry sends it twice;
- ``sending``: an invoice emailed to its client on staff's request, recorded once per request and sent
  the same way, at most once.

``receipts`` and ``sending`` import ``messages``, which imports ``defaults``; the senders (tasks, notices, the
subscriptions' emails) import ``build_email`` from here.
"""

from .messages import build_email, get_template

__all__ = ["build_email", "get_template"]
