from wagtail import hooks

from . import ledger
from .log_formatters import AdjustmentRecordedFormatter, PaymentRecordedFormatter


@hooks.register("register_log_actions")
def register_ledger_log_actions(actions):
    actions.register_action(ledger.PAYMENT_RECORDED)(PaymentRecordedFormatter)
    actions.register_action(ledger.ADJUSTMENT_RECORDED)(AdjustmentRecordedFormatter)
