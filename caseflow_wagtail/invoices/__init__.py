"""The invoice page's own parts, below every service: its editor form and billing panel, its StreamField
blocks, what its public page shows, and which site an invoice belongs to.

- ``forms``: the editor's form (numbers, dates, the currency the ledger fixes, totals) and the copy form;
- ``panels``: the editor's read-only Payments tab;
- ``presentation``: what the invoice page shows, prepared so that templates never compute money;
- ``blocks``: the body's blocks (the Pay Now block among them);
- ``sites``: ``invoice_site``, the one rule for an invoice's site.

The page model (``models.invoices``) imports these, so they import only model modules other than
``models.invoices``, ``money``, ``totals``, ``permissions``, ``firm`` and ``payments.pay_now``: never a
service that writes money or calls Stripe.
"""
