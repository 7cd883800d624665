"""An email backend for the two-process test: every process appends what it sends to one shared file.

anymail's test backend keeps its outbox in the memory of one process; two cron jobs are two processes, so
what each sent is written where the test can read both. Each message takes a little time, as a real mail
service's API call does, so that the two runs overlap for the whole of their work.
"""

from __future__ import annotations

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            time.sleep(0.05)
            with open(os.environ["CASEFLOW_MAIL_LOG"], "a") as log:
                log.write(f"{os.getpid()} {message.metadata['invoice_number']} {','.join(message.to)}\n")
        return len(email_messages)
