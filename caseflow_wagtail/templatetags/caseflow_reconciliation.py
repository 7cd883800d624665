"""Template helpers for the reconciliation notices in the invoice editor."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def may_reconcile(user) -> bool:
    from ..views.reconciliation import may_reconcile as allowed

    return bool(hasattr(user, "has_perm") and allowed(user))
