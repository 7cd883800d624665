"""Test support that ships with caseflow-wagtail: a local Stripe emulator and pytest fixtures."""

from .receiver import WebhookReceiver
from .stripe_emulator import EmulatorClient, EmulatorError, StripeEmulator

__all__ = ["EmulatorClient", "EmulatorError", "StripeEmulator", "WebhookReceiver"]
