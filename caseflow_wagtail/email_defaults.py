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
}
