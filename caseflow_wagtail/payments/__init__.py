"""Taking card payments: Pay Now, Stripe Checkout, and recording what Stripe says arrived.

- ``pay_now``: whether an invoice can be paid online and for how much (pure rules the invoice page asks);
- ``checkout``: opening or reusing the Checkout Session, closing open ones when an invoice's terms change;
- ``fulfilment``: Stripe's word that money arrived (webhook, success page or sync) → one ledger call;
- ``fees``: Stripe's fee and net, once known;
- ``cards``: the card a payment was made with (brand, last four digits), read from charges already in hand;
- ``unapplied``: money that cannot be credited to an invoice, kept for staff to decide.

``checkout`` imports ``fulfilment`` (for the metadata both read), ``fulfilment`` imports ``fees``, ``cards``
and ``unapplied``, ``fees`` imports ``cards``; all of them import the ledger and models, never views. ``pay_now`` imports only ``money``
and the gateway settings model.
"""
