"""Vobiz: a Plivo-like REST API authenticated with X-Auth-ID / X-Auth-Token headers."""

from __future__ import annotations

from .plivo import AuthIdProvider, auth_id_fields


class VobizProvider(AuthIdProvider):
    key = "vobiz"
    display_name = "Vobiz"
    notes = "Regional provider (India)."
    docs_url = "https://docs.vobiz.ai/"
    fields = auth_id_fields(
        "Vobiz",
        # Observed ids are MA_ or SA_ + 8 upper-case characters; the length is not confirmed
        # ("(?)"), so any length is accepted after the prefix.
        auth_id_pattern=r"^(?:MA|SA)_[A-Z0-9]+$",
        auth_id_hint="must look like MA_ or SA_ followed by upper-case letters or digits",
        auth_id_placeholder="MA_XXXXXXXX",
    )
