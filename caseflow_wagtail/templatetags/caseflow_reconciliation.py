"""Template helpers for the reconciliation notices in the invoice editor."""

from __future__ import annotations

from django import template

from .. import permissions

register = template.Library()


@register.simple_tag
def may_reconcile(user) -> bool:
    return bool(hasattr(user, "has_perm") and permissions.may_reconcile(user))
