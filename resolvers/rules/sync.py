"""When a number's inbound binding must be pushed to the provider (SPEC §4 "Provider sync")."""

from enum import StrEnum
from urllib.parse import urlencode


class SyncAction(StrEnum):
    ATTACH = "ATTACH"
    DETACH = "DETACH"
    #: The provider has no API for it (supports_inbound_sync False): the report says which console
    #: step routes the number's calls, or undoes that.
    MANUAL_STEP = "MANUAL_STEP"


def routed(*, is_active: bool, workflow_id: int | None) -> bool:
    """A number's inbound calls should reach Switchboard when it is active and bound to a workflow."""
    return is_active and workflow_id is not None


def sync_action(*, was_routed: bool, is_routed: bool) -> SyncAction | None:
    """Binding or activating attaches, unbinding, deactivating or deleting detaches; re-binding
    from one workflow to another and label or metadata edits need no provider call."""
    if is_routed and not was_routed:
        return SyncAction.ATTACH
    if was_routed and not is_routed:
        return SyncAction.DETACH
    return None


def resync_action(*, is_routed: bool) -> SyncAction:
    return SyncAction.ATTACH if is_routed else SyncAction.DETACH


def inbound_url(public_base_url: str, provider_key: str, *, account_id: str | None = None, token: str | None = None) -> str:
    """The inbound URL of a provider; the dispatcher routes on the routing key. It carries the
    account id for providers whose call webhook does not, and a per-configuration token for
    providers that do not sign their webhooks (SPEC §11)."""
    query = {name: value for name, value in (("account", account_id), ("token", token)) if value}
    return f"{public_base_url}/telephony/{provider_key}/inbound" + (f"?{urlencode(query)}" if query else "")


def inbound_token_purpose(config_id: int) -> str:
    """What a configuration's inbound-URL token is derived for (SecretBox.derive)."""
    return f"inbound-token:{config_id}"
