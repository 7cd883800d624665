"""What the Harbour & Finch LLP demo holds: the firm, its clients, and an invoice in every status and every
reminder state. ``seed_demo`` creates them; dates are relative to the day it runs, so the states hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from caseflow_wagtail.models import PaymentMethod

FIRM_NAME = "Harbour & Finch LLP"
FIRM_DETAILS = {
    "firm_address": "3 Gunwharf Quays\nPortsmouth PO1 3TZ\nUnited Kingdom",
    "firm_phone": "+44 23 9200 0140",
    "firm_tax_number_label": "VAT number",
    "firm_tax_number": "GB 123 4567 89",
}
LOGO_TITLE = "Harbour & Finch logo"
DEFAULT_PASSWORD = "harbour-finch-demo"

CLIENTS: dict[str, dict[str, str | bool]] = {
    "Marlow Shipping Ltd": {
        "contact_name": "Eleanor Marlow",
        "contact_email": "eleanor@marlow-shipping.example",
        "phone": "+44 23 9200 1100",
        "billing_address": "Dock 4, Gunwharf Road\nPortsmouth PO1 3AA\nUnited Kingdom",
    },
    "Pemberton Estates": {
        "contact_name": "James Pemberton",
        "contact_email": "james@pemberton-estates.example",
        "phone": "+44 1962 555 010",
        "billing_address": "The Old Rectory\nWinchester SO23 9AB\nUnited Kingdom",
    },
    "Okafor Family Trust": {
        "contact_name": "Adaeze Okafor",
        "contact_email": "trustees@okafor-trust.example",
        "billing_address": "41 Marine Parade\nSouthsea PO4 0NS\nUnited Kingdom",
    },
    "Sakura Robotics K.K.": {
        "contact_name": "Haruto Sato",
        "contact_email": "legal@sakura-robotics.example",
        "phone": "+81 3 5555 0134",
        "billing_address": "2-7-1 Marunouchi, Chiyoda-ku\nTokyo 100-0005\nJapan",
    },
    # Takes no payment reminders (Billing → Clients): its invoice shows why none go.
    "Harcourt Art Foundation": {
        "contact_name": "Imogen Harcourt",
        "contact_email": "accounts@harcourt-art.example",
        "billing_address": "12 Hampshire Terrace\nSouthsea PO5 3NL\nUnited Kingdom",
        "send_reminders": False,
    },
    "Gulf Pearl Logistics W.L.L.": {
        "contact_name": "Mariam Al-Rashid",
        "contact_email": "finance@gulfpearl.example",
        "phone": "+965 2200 5500",
        "billing_address": "Shuwaikh Port, Block 3\nKuwait City\nKuwait",
    },
}


@dataclass(frozen=True)
class DemoInvoice:
    number: str
    client: str
    currency: str
    lines: list[tuple[str, str, str, str | None]]  # description, quantity, unit price, tax rate %
    issued_days_ago: int = 0
    due_in_days: int = 30  # from today, so the statuses hold whenever the demo is seeded
    publish: bool = True
    payments: list[tuple[str, str, str]] = field(default_factory=list)  # amount, method, reference
    credit: tuple[str, str] | None = None  # amount, reason
    void_reason: str = ""
    # Reminders: emailed this many days ago (None: never), then each step reached, as (days from the due
    # date, sent this many days ago, or None when it was passed over), and whether they are paused.
    emailed_days_ago: int | None = None
    reminders: tuple[tuple[int, int | None], ...] = ()
    reminders_paused: bool = False
    notes: str = "Payment is due within 30 days. Thank you for instructing Harbour & Finch LLP."


# One invoice per status, plus a zero-decimal (JPY) and a three-decimal (KWD) currency, and one per
# reminder state (HF-0005 and HF-0009 to HF-0012).
INVOICES: list[DemoInvoice] = [
    DemoInvoice(
        "HF-0001",
        "Marlow Shipping Ltd",
        "GBP",
        [("Charterparty review and mark-up", "6", "320.00", "20")],
        publish=False,
    ),
    DemoInvoice(
        "HF-0002",
        "Pemberton Estates",
        "GBP",
        [
            ("Lease renewal: drafting and negotiation", "1", "1850.00", "20"),
            ("Land Registry fee", "1", "150.00", None),
        ],
    ),
    DemoInvoice(
        "HF-0003",
        "Okafor Family Trust",
        "GBP",
        [("Trust deed amendment", "1", "2400.00", "20")],
        issued_days_ago=10,
        payments=[("1000.00", PaymentMethod.BANK_TRANSFER, "BACS 77120")],
    ),
    DemoInvoice(
        "HF-0004",
        "Marlow Shipping Ltd",
        "GBP",
        [("Demurrage claim: advice", "4", "320.00", "20")],
        issued_days_ago=20,
        payments=[("1536.00", PaymentMethod.CHEQUE, "Cheque 004512")],
    ),
    DemoInvoice(
        "HF-0005",
        "Pemberton Estates",
        "GBP",
        [("Boundary dispute: correspondence", "3", "280.00", None)],
        issued_days_ago=60,
        due_in_days=-30,
        credit=("40.00", "Goodwill discount agreed by the partner"),
        # Every step reached: the +7 fell while the job was not running, so the +14 went late instead.
        emailed_days_ago=58,
        reminders=((-3, 33), (0, 30), (7, None), (14, 10)),
    ),
    DemoInvoice(
        "HF-0006",
        "Okafor Family Trust",
        "GBP",
        [("Probate application", "1", "950.00", "20")],
        issued_days_ago=5,
        void_reason="Issued in error: the work is billed to the estate instead.",
    ),
    DemoInvoice(
        "HF-0007",
        "Sakura Robotics K.K.",
        "JPY",
        [
            ("Distribution agreement review", "1", "450000", None),
            ("Translation coordination", "3", "25000", None),
        ],
    ),
    DemoInvoice(
        "HF-0008",
        "Gulf Pearl Logistics W.L.L.",
        "KWD",
        [("Arbitration preparation", "10", "95.500", None)],
        issued_days_ago=7,
        payments=[("300.250", PaymentMethod.BANK_TRANSFER, "KNET 55-0921")],
    ),
    # Its "3 days before" step is due today: Billing → Reminders lists it.
    DemoInvoice(
        "HF-0009",
        "Marlow Shipping Ltd",
        "GBP",
        [("Crew contract review", "2", "320.00", "20")],
        issued_days_ago=12,
        due_in_days=3,
        emailed_days_ago=12,
    ),
    # Reminded before, on and 7 days after the due date; the 14-day one is next.
    DemoInvoice(
        "HF-0010",
        "Pemberton Estates",
        "GBP",
        [("Planning appeal: written representations", "1", "1400.00", "20")],
        issued_days_ago=38,
        due_in_days=-8,
        emailed_days_ago=38,
        reminders=((-3, 11), (0, 8), (7, 1)),
    ),
    # Paused by staff after the first reminder (the client promised to pay).
    DemoInvoice(
        "HF-0011",
        "Okafor Family Trust",
        "GBP",
        [("Letter of wishes", "1", "450.00", "20")],
        issued_days_ago=35,
        due_in_days=-5,
        emailed_days_ago=35,
        reminders=((-3, 8),),
        reminders_paused=True,
    ),
    # Its client takes no reminders.
    DemoInvoice(
        "HF-0012",
        "Harcourt Art Foundation",
        "GBP",
        [("Loan agreement for an exhibition", "1", "1200.00", None)],
        issued_days_ago=32,
        due_in_days=-2,
        emailed_days_ago=32,
    ),
]
