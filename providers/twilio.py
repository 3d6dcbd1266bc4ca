"""Twilio: Programmable Voice REST API (api.twilio.com/2010-04-01)."""

from __future__ import annotations

from collections.abc import Mapping

from .base import CredentialField, opaque_secret
from .http import ProviderHttp
from .twilio_compat import TwilioCompatibleApi, TwilioCompatibleProvider

API_BASE = "https://api.twilio.com"


class TwilioProvider(TwilioCompatibleProvider):
    key = "twilio"
    display_name = "Twilio"
    notes = "Widest geographic coverage."
    docs_url = "https://www.twilio.com/docs/voice/api"
    # Each IncomingPhoneNumber has its own VoiceUrl, set with a POST to the number resource.
    supports_inbound_sync = True
    needs_caller_ids = True
    fields = (
        CredentialField(
            name="accountSid",
            label="Account SID",
            pattern=r"^AC[0-9a-fA-F]{32}$",
            pattern_hint="must look like AC followed by 32 hex characters",
            description="Twilio Console > Account Info.",
            placeholder="ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ),
        # Tokens are 32 hex characters in practice, but Twilio does not document the format.
        opaque_secret(
            "authToken", "Auth Token", "Twilio Console > Account Info. Also signs Twilio's webhooks."
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        # Webhooks carry AccountSid with lower-case hex; the prefix is always "AC".
        sid = credentials["accountSid"].strip()
        return sid[:2].upper() + sid[2:].lower()

    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> TwilioCompatibleApi:
        sid = credentials["accountSid"]
        return TwilioCompatibleApi(
            http, self.display_name, http.base(self.key, API_BASE), f"/2010-04-01/Accounts/{sid}", (sid, credentials["authToken"])
        )
