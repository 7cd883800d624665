"""Invoice and receipt PDFs, rendered with WeasyPrint from the templates the invoice page uses.

- ``documents``: what each PDF shows (the invoice page's own context; a receipt's number, payment and
  balance after it), its file name, and ``invoice_pdf`` / ``receipt_pdf``;
- ``render``: a template to PDF bytes, with the package's print stylesheet, every failure a ``PdfError``;
- ``engine``: the only module that imports WeasyPrint, loaded on first use (so a host without Pango still
  serves its pages) with a URL fetcher that refuses everything but the package's own static files.

``documents`` imports ``render``, which imports ``engine``; all three import models, ``invoices`` and
``money`` only, so the mail and the views can use them.
"""
