"""caseflow-wagtail: card payments for a law firm's invoices in Wagtail, through Stripe."""

__version__ = "0.1.0.dev0"
