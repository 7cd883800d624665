"""Customer portal configurations (``/v1/billing_portal/configurations``) and which one a session uses.

As in Stripe, an account starts with no portal configuration: its default one only exists once someone has
saved the portal settings in the Dashboard (here: the control API's ``save_portal_settings`` action), and a
portal session without ``configuration`` is refused until then.
"""

from __future__ import annotations

from typing import Any

from .._core import Account, new_id, real_now
from .._errors import StripeApiError, invalid, not_found
from .._values import get_bool, get_dict, get_metadata, get_str, merge_metadata
from .base import Resource

OBJECT = "billing_portal.configuration"

# Stripe's own wording (seen in the wild, e.g. mozilla/fxa#13245) for a session asked of an account whose
# portal settings were never saved.
NO_DEFAULT_MESSAGE = (
    "You can’t create a portal session in test mode until you save your customer portal settings in test "  # noqa: RUF001
    "mode at https://dashboard.stripe.com/test/settings/billing/portal."
)


def _features() -> dict[str, Any]:
    # What a configuration has for a feature the request leaves out: off.
    return {
        "customer_update": {"allowed_updates": [], "enabled": False},
        "invoice_history": {"enabled": False},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {
            "cancellation_reason": {"enabled": False, "options": []},
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_update": {
            "billing_cycle_anchor": None,
            "default_allowed_updates": [],
            "enabled": False,
            "products": [],
            "proration_behavior": "none",
            "schedule_at_period_end": {"conditions": []},
            "trial_update_behavior": "end_trial",
        },
    }


def _blank_list(value: Any) -> list[Any]:
    # ``Literal['']|List[...]``: an empty string clears the list.
    if value in ("", None):
        return []
    return list(value.values()) if isinstance(value, dict) else list(value)


def _apply_features(features: dict[str, Any], params: dict[str, Any]) -> None:
    for name, given in params.items():
        if name not in features:
            continue  # unknown names were refused by the parameter check already
        if not isinstance(given, dict):
            raise invalid(f"Invalid object: features[{name}]", param=f"features[{name}]")
        target = features[name]
        for key, value in given.items():
            where = f"features[{name}][{key}]"
            if key == "enabled":
                target[key] = get_bool(given, key, name=where)
            elif isinstance(target.get(key), list):
                target[key] = _blank_list(value)
            elif isinstance(target.get(key), dict):
                target[key] = {**target[key], **(get_dict(given, key, name=where) or {})}
                if "enabled" in target[key]:
                    target[key]["enabled"] = get_bool(target[key], "enabled", name=where + "[enabled]")
            else:
                target[key] = get_str(given, key, name=where) or None


def _apply(config: dict[str, Any], params: dict[str, Any]) -> None:
    profile = get_dict(params, "business_profile")
    if profile is not None:
        for key in ("headline", "privacy_policy_url", "terms_of_service_url"):
            if key in profile:
                config["business_profile"][key] = (
                    get_str(profile, key, name=f"business_profile[{key}]") or None
                )
    if "default_return_url" in params:
        config["default_return_url"] = get_str(params, "default_return_url") or None
    if "name" in params:
        config["name"] = get_str(params, "name") or None
    features = get_dict(params, "features")
    if features is not None:
        _apply_features(config["features"], features)
    login = get_dict(params, "login_page")
    if login is not None and "enabled" in login:
        enabled = get_bool(login, "enabled", name="login_page[enabled]")
        config["login_page"] = {
            "enabled": enabled,
            "url": f"https://billing.stripe.com/p/login/test_{config['id'][4:16]}" if enabled else None,
        }
    if "active" in params:
        config["active"] = get_bool(params, "active")
    metadata = get_metadata(params)
    if metadata is not None:
        config["metadata"] = merge_metadata(config["metadata"] or {}, metadata)


def _new(is_default: bool) -> dict[str, Any]:
    now = real_now()
    return {
        "active": True,
        "application": None,
        "business_profile": {"headline": None, "privacy_policy_url": None, "terms_of_service_url": None},
        "created": now,
        "default_return_url": None,
        "features": _features(),
        "id": new_id("bpc_"),
        "is_default": is_default,
        "livemode": False,
        "login_page": {"enabled": False, "url": None},
        "metadata": {},
        "name": None,
        "object": OBJECT,
        "updated": now,
    }


def create(api: Resource, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
    get_dict(params, "features", required=True)
    config = _new(is_default=False)  # only the Dashboard makes the default one
    _apply(config, params)
    acct.put(config)
    api.emit(acct, "billing_portal.configuration.created", config)
    return config


def retrieve(acct: Account, id: str) -> dict[str, Any]:
    config = acct.find(OBJECT, id)
    if config is None:
        raise not_found("configuration", id)
    return config


def update(api: Resource, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
    config = retrieve(acct, id)
    before = {key: config[key] for key in ("active", "business_profile", "features", "metadata", "name")}
    _apply(config, params)
    config["updated"] = real_now()
    changed = {key: value for key, value in before.items() if config[key] != value}
    api.emit(acct, "billing_portal.configuration.updated", config, changed or None)
    return config


def listing(api: Resource, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
    items = acct.all(OBJECT)
    for flag in ("active", "is_default"):
        if flag in params:
            wanted = get_bool(params, flag)
            items = [c for c in items if c[flag] == wanted]
    return api.paginate(items, params, "/v1/billing_portal/configurations")


def save_dashboard_settings(acct: Account) -> dict[str, Any]:
    """What saving the portal settings in the Dashboard does: the account gets its default configuration."""
    for config in acct.all(OBJECT):
        if config["is_default"]:
            return config
    config = _new(is_default=True)
    features = config["features"]
    features["customer_update"] = {"allowed_updates": ["email", "address"], "enabled": True}
    features["invoice_history"]["enabled"] = True
    features["payment_method_update"]["enabled"] = True
    return acct.put(config)


def for_session(acct: Account, params: dict[str, Any]) -> dict[str, Any]:
    """The configuration a new portal session uses: the one asked for, else the account's default."""
    wanted = get_str(params, "configuration")
    if wanted:
        config = acct.find(OBJECT, wanted)
        if config is None:
            raise not_found("configuration", wanted, "configuration")
        if not config["active"]:
            raise invalid(
                f"The configuration {wanted} is not active; activate it or use another one.",
                param="configuration",
            )
        return config
    for config in acct.all(OBJECT):
        if config["is_default"]:
            return config
    raise StripeApiError(400, NO_DEFAULT_MESSAGE)


def check_flow(config: dict[str, Any], flow_type: str) -> None:
    # A flow needs its feature switched on in the configuration (wording ours: not confirmed from Stripe).
    if flow_type == "payment_method_update" and not config["features"]["payment_method_update"]["enabled"]:
        raise invalid(
            "This flow cannot be used: the payment method update feature is disabled in the portal "
            f"configuration {config['id']}.",
            param="flow_data[type]",
        )


class PortalConfigurations(Resource):
    """``/v1/billing_portal/configurations``."""

    def portal_configurations_create(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return create(self, acct, params)

    def portal_configurations_retrieve(
        self, acct: Account, params: dict[str, Any], id: str
    ) -> dict[str, Any]:
        return retrieve(acct, id)

    def portal_configurations_update(self, acct: Account, params: dict[str, Any], id: str) -> dict[str, Any]:
        return update(self, acct, params, id)

    def portal_configurations_list(self, acct: Account, params: dict[str, Any]) -> dict[str, Any]:
        return listing(self, acct, params)
