"""Finding provider plugins.

Plugins are registered as entry points in the ``switchboard.providers`` group, named by their
key, so a third-party package can add a provider without touching core::

    [project.entry-points."switchboard.providers"]
    twilio = "switchboard.providers.twilio:TwilioProvider"
"""

from __future__ import annotations

import functools
import re
from importlib.metadata import entry_points

from .base import ProviderPlugin

ENTRY_POINT_GROUP = "switchboard.providers"

#: The providers that ship with Switchboard, as registered in pyproject.toml (key -> target).
BUILTIN_PROVIDERS: dict[str, str] = {
    "ari": "switchboard.providers.ari:AriProvider",
    "cloudonix": "switchboard.providers.cloudonix:CloudonixProvider",
    "exotel": "switchboard.providers.exotel:ExotelProvider",
    "plivo": "switchboard.providers.plivo:PlivoProvider",
    "signalwire": "switchboard.providers.signalwire:SignalwireProvider",
    "telnyx": "switchboard.providers.telnyx:TelnyxProvider",
    "twilio": "switchboard.providers.twilio:TwilioProvider",
    "vobiz": "switchboard.providers.vobiz:VobizProvider",
    "vonage": "switchboard.providers.vonage:VonageProvider",
}

_KEY_PATTERN = re.compile(r"[a-z][a-z0-9]*")


class ProviderRegistryError(RuntimeError):
    """A registered provider plugin cannot be used."""


@functools.cache
def load_providers() -> dict[str, ProviderPlugin]:
    """Every registered provider plugin, instantiated, keyed and sorted by key.

    Loaded once per process (``load_providers.cache_clear()`` reloads); do not mutate the
    returned dict. Raises ProviderRegistryError when an entry point does not load, is not a
    ProviderPlugin subclass, has a malformed key, a key that differs from the entry point's
    name, or a key that another entry point already uses.
    """
    found: dict[str, ProviderPlugin] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        where = f"entry point {ep.name!r} = {ep.value!r} in group {ENTRY_POINT_GROUP!r}"
        try:
            cls = ep.load()
        except Exception as exc:
            raise ProviderRegistryError(f"{where} failed to load: {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, ProviderPlugin)):
            raise ProviderRegistryError(f"{where} is not a ProviderPlugin subclass")
        key = getattr(cls, "key", None)
        if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
            raise ProviderRegistryError(
                f"{where}: key {key!r} must be lower case letters and digits, starting with a letter"
            )
        if key != ep.name:
            raise ProviderRegistryError(f"{where}: the entry point must be named after its key {key!r}")
        if key in found:
            raise ProviderRegistryError(f"{where}: key {key!r} is already registered")
        try:
            found[key] = cls()
        except Exception as exc:
            raise ProviderRegistryError(f"{where} could not be instantiated: {exc}") from exc
    return dict(sorted(found.items()))


def get_provider(key: str) -> ProviderPlugin:
    """The plugin registered under ``key`` (case-insensitive, so enum values work too)."""
    try:
        return load_providers()[key.lower()]
    except KeyError:
        raise KeyError(f"unknown telephony provider {key!r}") from None
