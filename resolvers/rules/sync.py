"""When a number's inbound binding must be pushed to the provider (SPEC §4 "Provider sync")."""

from enum import StrEnum


class SyncAction(StrEnum):
    ATTACH = "ATTACH"
    DETACH = "DETACH"


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


def inbound_url(public_base_url: str, provider_key: str) -> str:
    """The one inbound URL of a provider; the dispatcher routes on the routing key."""
    return f"{public_base_url}/telephony/{provider_key}/inbound"
