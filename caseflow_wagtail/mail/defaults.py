"""The emails shipped with the plugin; firms edit their copies in Billing → Email templates."""

from __future__ import annotations

DEFAULTS: dict[str, dict[str, str]] = {
    "payment-recorded": {
        "subject": "Payment received for invoice {{ invoice_number }}",
        "text_body": (
            "Dear {{ contact_name }},\n\n"
            "Thank you. We received {{ amount }} on {{ payment_date }} ({{ payment_method }}) for invoice "
            "{{ invoice_number }}.\n\n"
            "Invoice status: {{ status }}\n"
            "Balance due: {{ balance }}\n\n"
            "You can view the invoice at any time here:\n{{ invoice_link }}\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": (
            "<p>Dear {{ contact_name }},</p>\n"
            "<p>Thank you. We received <strong>{{ amount }}</strong> on {{ payment_date }} "
            "({{ payment_method }}) for invoice <strong>{{ invoice_number }}</strong>.</p>\n"
            '<table role="presentation">\n'
            '  <tr><th align="left">Invoice status</th><td>{{ status }}</td></tr>\n'
            '  <tr><th align="left">Balance due</th><td>{{ balance }}</td></tr>\n'
            "</table>\n"
            '<p><a href="{{ invoice_link }}">View the invoice</a></p>\n'
            "<p>{{ firm_name }}</p>\n"
        ),
    },
    "invoice-sent": {
        "subject": "Invoice {{ invoice_number }} from {{ firm_name }}: {{ amount_due }} due by {{ due_date }}",
        "text_body": (
            "Dear {{ contact_name }},\n\n"
            "Please find invoice {{ invoice_number }} for {{ client_name }} at the link below.\n\n"
            "Total: {{ total }}\n"
            "Amount due: {{ amount_due }}\n"
            "Due by: {{ due_date }}\n\n"
            "View and pay the invoice here:\n{{ invoice_link }}\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": (
            "<p>Dear {{ contact_name }},</p>\n"
            "<p>Please find invoice <strong>{{ invoice_number }}</strong> for {{ client_name }} at the link "
            "below.</p>\n"
            '<table role="presentation">\n'
            '  <tr><th align="left">Total</th><td>{{ total }}</td></tr>\n'
            '  <tr><th align="left">Amount due</th><td>{{ amount_due }}</td></tr>\n'
            '  <tr><th align="left">Due by</th><td>{{ due_date }}</td></tr>\n'
            "</table>\n"
            '<p><a href="{{ invoice_link }}">View and pay the invoice</a></p>\n'
            "<p>{{ firm_name }}</p>\n"
        ),
    },
    "stripe-refund": {
        "subject": "Refunded in Stripe: {{ amount }} on invoice {{ invoice_number }}",
        "text_body": (
            "A refund of {{ amount }} was made in Stripe on {{ date }} for a payment on invoice "
            "{{ invoice_number }} ({{ client_name }}). Stripe status: {{ status }}.\n\n"
            "{{ reconciliation }}\n\n"
            "Review refunds and disputes here:\n{{ review_link }}\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": "",
    },
    "stripe-dispute": {
        "subject": "Payment disputed ({{ status }}): {{ amount }} on invoice {{ invoice_number }}",
        "text_body": (
            "The client's bank disputes {{ amount }} paid on invoice {{ invoice_number }} "
            "({{ client_name }}).\n\n"
            "Reason: {{ reason }}\n"
            "Stripe status: {{ status }}\n"
            "Evidence due by: {{ evidence_due }}\n\n"
            "Respond in the Stripe dashboard before the due date. When a dispute is lost, record the "
            "proposed adjustment here:\n{{ review_link }}\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": "",
    },
    "stripe-unapplied": {
        "subject": "Payment needs review: {{ amount }} taken in Stripe, not credited",
        "text_body": (
            "Stripe took {{ amount }} on {{ date }} that was not credited to any invoice.\n\n"
            "Why: {{ reason }}\n"
            "Invoice named: {{ invoice_number }}\n"
            "Client: {{ client_name }}\n\n"
            "Apply it to an invoice in the same currency, or refund it in Stripe and mark it refunded:\n"
            "{{ review_link }}\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": "",
    },
    "subscription-setup": {
        "subject": "Set up your {{ interval }} retainer with {{ firm_name }}",
        "text_body": (
            "Dear {{ contact_name }},\n\n"
            "{{ firm_name }} has set up a retainer for {{ client_name }}: {{ amount }}, charged {{ interval }} "
            "to your card ({{ description }}).\n\n"
            "Enter your card on Stripe's secure page to start it:\n{{ setup_link }}\n\n"
            "Each charge comes with an invoice and a receipt.\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": (
            "<p>Dear {{ contact_name }},</p>\n"
            "<p>{{ firm_name }} has set up a retainer for {{ client_name }}: <strong>{{ amount }}</strong>, "
            "charged {{ interval }} to your card ({{ description }}).</p>\n"
            '<p><a href="{{ setup_link }}">Enter your card on Stripe\'s secure page</a> to start it.</p>\n'
            "<p>Each charge comes with an invoice and a receipt.</p>\n"
            "<p>{{ firm_name }}</p>\n"
        ),
    },
    "subscription-payment-failed": {
        "subject": "Your retainer payment to {{ firm_name }} did not go through",
        "text_body": (
            "Dear {{ contact_name }},\n\n"
            "We could not charge {{ amount }} for your {{ interval }} retainer ({{ description }}) to the "
            "card on file. Stripe will try again in a few days.\n\n"
            "To use another card, open this link (or reply to this email):\n{{ update_card_link }}\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": "",
    },
    "subscription-payment-failed-firm": {
        "subject": "Retainer payment failed: {{ client_name }}",
        "text_body": (
            "The {{ interval }} retainer charge of {{ amount }} for {{ client_name }} failed. The "
            "subscription is Past Due; Stripe will retry, and the client was emailed.\n\n"
            "{{ admin_link }}\n"
        ),
        "html_body": "",
    },
    "subscription-action-required": {
        "subject": "Please confirm your retainer payment to {{ firm_name }}",
        "text_body": (
            "Dear {{ contact_name }},\n\n"
            "Your bank asks you to confirm the {{ amount }} charge for your {{ interval }} retainer "
            "({{ description }}). Please open this link to confirm it (or reply to this email):\n"
            "{{ authenticate_link }}\n\n"
            "{{ firm_name }}\n"
        ),
        "html_body": "",
    },
}

# The reminder schedule a site starts with (Settings → Billing): days from the due date.
DEFAULT_REMINDER_DAYS = (-3, 0, 7, 14)


def reminder_defaults(days: int) -> dict[str, str]:
    """The template a new reminder step starts with: before, on, or after the due date."""
    if days < 0:
        subject = "Reminder: invoice {{ invoice_number }} is due on {{ due_date }}"
        opening = "This is a friendly reminder that invoice {{ invoice_number }} is due on {{ due_date }}."
    elif days == 0:
        subject = "Invoice {{ invoice_number }} is due today"
        opening = "Invoice {{ invoice_number }} is due today, {{ due_date }}."
    else:
        subject = "Overdue: invoice {{ invoice_number }} was due on {{ due_date }}"
        opening = (
            "Invoice {{ invoice_number }} was due on {{ due_date }} and is now {{ days_overdue }} days "
            "overdue."
        )
    text = (
        "Dear {{ contact_name }},\n\n"
        f"{opening}\n\n"
        "Amount due: {{ amount_due }}\n\n"
        "View and pay the invoice here:\n{{ invoice_link }}\n\n"
        "If you have already paid, thank you, and please disregard this email.\n\n"
        "{{ firm_name }}\n"
    )
    html = (
        "<p>Dear {{ contact_name }},</p>\n"
        f"<p>{opening}</p>\n"
        "<p>Amount due: <strong>{{ amount_due }}</strong></p>\n"
        '<p><a href="{{ invoice_link }}">View and pay the invoice</a></p>\n'
        "<p>If you have already paid, thank you, and please disregard this email.</p>\n"
        "<p>{{ firm_name }}</p>\n"
    )
    return {"subject": subject, "text_body": text, "html_body": html}
