"""Permission policies for the plugin's models, registered once at start-up."""

from __future__ import annotations

from django.db.models import Model
from wagtail.permission_policies import ModelPermissionPolicy

from .models import EmailTemplate


class FixedSetPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds or deletes: the plugin defines which records exist; staff only edit their content."""

    def user_has_permission(self, user, action: str) -> bool:
        return action not in ("add", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


POLICIES: dict[type[Model], ModelPermissionPolicy] = {}


def register() -> None:
    POLICIES[EmailTemplate] = FixedSetPermissionPolicy(EmailTemplate)
    try:
        from wagtail.permissions import register_permission_policy
    except ImportError:  # Wagtail 7.0: viewsets hand their policy over themselves
        return
    for model, policy in POLICIES.items():
        register_permission_policy(model, policy, exact_class=True)


def policy_for(model: type[Model]) -> ModelPermissionPolicy | None:
    return POLICIES.get(model)
