"""What a Stripe key says about itself, from its prefix alone (no call to Stripe)."""

from __future__ import annotations


def key_mode(key: str) -> str:
    """``"test"``, ``"live"`` or ``""`` from a Stripe key's prefix."""
    for prefix in ("pk_", "sk_", "rk_"):
        if key.startswith(prefix + "test_"):
            return "test"
        if key.startswith(prefix + "live_"):
            return "live"
    return ""
