"""The client's account page: one private link per client to every open invoice and those paid in the last
twelve months, on the site the link is opened on.

- ``links``: the account link's path and full address, and the site an admin page shows it for;
- ``statement``: what the page lists (open and paid invoices, receipts, the balance owed per currency),
  read in a fixed number of queries and prepared so that templates never compute money;
- ``panels``: the client editor's account link, with Copy link and Regenerate link.

The client model imports ``panels``, so ``links`` and ``panels`` import no model and no service;
``statement`` imports the models and ``invoices.sites``, and only the public view imports it.
"""
