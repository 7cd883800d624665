"""Billing actions in the Wagtail admin, registered under ``/admin/billing/`` by a hook."""

from django.urls import path

from .views import invoices, ledger_lists, pdfs, reminders, sending

app_name = "caseflow_wagtail_admin"

urlpatterns = [
    path("add-invoice/", invoices.AddInvoiceView.as_view(), name="add_invoice"),
    path(
        "invoice/<int:invoice_id>/regenerate-link/",
        invoices.RegenerateLinkView.as_view(),
        name="regenerate_link",
    ),
    path("invoice/<int:invoice_id>/void/", invoices.VoidInvoiceView.as_view(), name="void_invoice"),
    path("invoice/<int:invoice_id>/restore/", invoices.RestoreInvoiceView.as_view(), name="restore_invoice"),
    path("invoice/<int:invoice_id>/pdf/", pdfs.AdminInvoicePdfView.as_view(), name="invoice_pdf"),
    path("payment/<int:payment_id>/receipt.pdf", pdfs.AdminReceiptPdfView.as_view(), name="receipt_pdf"),
    path("invoice/<int:invoice_id>/send/", sending.SendInvoiceView.as_view(), name="send_invoice"),
    path(
        "invoice/<int:invoice_id>/pause-reminders/",
        reminders.PauseRemindersView.as_view(),
        name="pause_reminders",
    ),
    path(
        "invoice/<int:invoice_id>/resume-reminders/",
        reminders.ResumeRemindersView.as_view(),
        name="resume_reminders",
    ),
    path(
        "payment/<int:payment_id>/resend-receipt/",
        ledger_lists.ResendReceiptView.as_view(),
        name="resend_receipt",
    ),
]
