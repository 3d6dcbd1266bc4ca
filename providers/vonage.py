"""Vonage (Nexmo): Voice API with an application; numbers link to the application.

The answer URL lives on the Voice application, which every linked number shares. Attach makes
sure the application answers at Switchboard and links the number to it; detach only unlinks the
number. Two hosts: rest.nexmo.com (account, numbers) and api.nexmo.com (applications), both with
HTTP Basic api_key:api_secret; SWITCHBOARD_VONAGE_API_BASE replaces both, paths unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .base import UUID_HINT, UUID_PATTERN, CredentialField, FieldType, InboundNumber, opaque_secret
from .errors import FailureKind, ProviderError
from .http import ProviderHttp
from .linked_application import LinkedApplicationApi, LinkedApplicationProvider

REST_HOST = "https://rest.nexmo.com"
API_HOST = "https://api.nexmo.com"
_PAGE_SIZE = 100
_MAX_PAGES = 10
_CREDENTIALS_HINT = "Check the API key and secret under Vonage API Dashboard > API Settings."
#: /number/update answers HTTP 200 with its own status in "error-code".
_ERROR_CODE_KINDS = {"401": FailureKind.REJECTED, "403": FailureKind.REJECTED, "404": FailureKind.NOT_FOUND, "429": FailureKind.RATE_LIMITED}

_READ_ONLY_APPLICATION_FIELDS = ("id", "_links")


def _section(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The object at body[key][key]..., created where missing or not an object."""
    for key in keys:
        if not isinstance(body.get(key), dict):
            body[key] = {}
        body = body[key]
    return body


class VonageApi(LinkedApplicationApi[dict[str, Any], tuple[dict[str, Any], bool]]):
    provider = "Vonage"

    def __init__(self, http: ProviderHttp, rest_host: str, api_host: str, credentials: Mapping[str, str]) -> None:
        self.http = http
        self.rest_host = rest_host
        self.api_host = api_host
        self.api_key = credentials["apiKey"].strip()
        self.auth = (self.api_key, credentials["apiSecret"].strip())
        self.application_id = credentials["applicationId"].strip().lower()

    async def call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            body = await self.http.json(self.provider, method, url, auth=self.auth, **kwargs)
        except ProviderError as exc:
            if exc.kind is FailureKind.REJECTED:
                raise ProviderError(exc.kind, f"{exc.message} {_CREDENTIALS_HINT}") from exc
            raise
        if not isinstance(body, dict):
            raise ProviderError(FailureKind.BAD_RESPONSE, f"Vonage answered {method} {urlsplit(url).path} with an unexpected body.")
        return body

    async def balance(self) -> dict[str, Any]:
        return await self.call("GET", f"{self.rest_host}/account/get-balance")

    async def find_number(self, number: InboundNumber) -> dict[str, Any] | None:
        """The owned number whose msisdn is exactly the number's digits (the pattern also matches partially)."""
        digits = number.digits
        for index in range(1, _MAX_PAGES + 1):
            params = {"pattern": digits, "search_pattern": "1", "size": str(_PAGE_SIZE), "index": str(index)}
            page = await self.call("GET", f"{self.rest_host}/account/numbers", params=params)
            numbers = page.get("numbers", [])  # absent when nothing matches
            if not isinstance(numbers, list):
                raise ProviderError(FailureKind.BAD_RESPONSE, "Vonage answered the number lookup with an unexpected body.")
            for found in numbers:
                if isinstance(found, dict) and found.get("msisdn") == digits and found.get("country"):
                    return found
            count = page.get("count")
            if not isinstance(count, int) or index * _PAGE_SIZE >= count:
                break
        return None

    async def application(self) -> dict[str, Any]:
        try:
            return await self.call("GET", f"{self.api_host}/v2/applications/{self.application_id}")
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                raise ProviderError(
                    exc.kind,
                    f"Vonage has no application {self.application_id} under API key {self.api_key}; "
                    "check the Application ID (Vonage API Dashboard > Applications).",
                ) from exc
            raise

    async def point_application_at(self, url: str) -> tuple[dict[str, Any], bool]:
        """Make the application's voice answer URL `url`; True when it had to change. The update
        is a full replacement, so everything else of the application is sent back as it was."""
        app = await self.application()
        body = copy.deepcopy({k: v for k, v in app.items() if k not in _READ_ONLY_APPLICATION_FIELDS})
        webhooks = _section(body, "capabilities", "voice", "webhooks")
        answer = webhooks.get("answer_url") if isinstance(webhooks.get("answer_url"), dict) else {}
        if answer.get("address") == url:
            return app, False
        webhooks["answer_url"] = {**answer, "address": url, "http_method": "POST"}
        await self.call("PUT", f"{self.api_host}/v2/applications/{self.application_id}", json=body)
        return app, True

    def is_linked(self, found: dict[str, Any]) -> bool:
        if str(found.get("app_id") or "").lower() == self.application_id:
            return True
        return found.get("voiceCallbackType") == "app" and str(found.get("voiceCallbackValue") or "").lower() == self.application_id

    async def link(self, number: InboundNumber, found: dict[str, Any]) -> None:
        await self.update_number(found, unlink=False)

    async def unlink(self, number: InboundNumber, found: dict[str, Any]) -> None:
        await self.update_number(found, unlink=True)

    async def update_number(self, number: dict[str, Any], *, unlink: bool) -> None:
        """Link the number to the application (unlink: an empty app_id); the answer's error-code
        says whether it worked."""
        form = {"country": number["country"], "msisdn": number["msisdn"], "app_id": "" if unlink else self.application_id}
        what = f"{'unlink' if unlink else 'link'} {number['msisdn']} {'from' if unlink else 'to'} application {self.application_id}"
        try:
            body = await self.call("POST", f"{self.rest_host}/number/update", data=form)
        except ProviderError as exc:
            if exc.kind is FailureKind.REFUSED:
                raise ProviderError(exc.kind, f"Could not {what}: {exc.message}") from exc
            raise
        code = str(body.get("error-code", ""))
        if code != "200":
            label = body.get("error-code-label") or "no reason given"
            raise ProviderError(
                _ERROR_CODE_KINDS.get(code, FailureKind.REFUSED),
                f"Vonage refused to {what} (error-code {code or 'missing'}: {label}).",
            )


class VonageProvider(LinkedApplicationProvider[VonageApi]):
    key = "vonage"
    display_name = "Vonage"
    notes = "Strong European coverage."
    docs_url = "https://developer.vonage.com/en/voice/voice-api/overview"
    # A number is linked to the voice application with POST rest.nexmo.com/number/update.
    supports_inbound_sync = True
    needs_caller_ids = True
    webhook_secret_field = "signatureSecret"
    fields = (
        CredentialField(
            name="apiKey",
            label="API Key",
            # Documented examples are 8 lower-case hex characters, but the exact format is
            # not specified ("(?)"), so any letters and digits are accepted.
            pattern=r"^[A-Za-z0-9]+$",
            pattern_hint="must contain letters and digits only",
            description="Vonage API Dashboard > API Settings.",
            placeholder="abcd1234",
        ),
        CredentialField(
            name="apiSecret",
            label="API Secret",
            type=FieldType.SECRET,
            secret=True,
            # Legacy secrets are 16 letters/digits; current ones 8 to 25 characters with a
            # lower-case letter, an upper-case letter and a digit. Only the length is checked.
            pattern=r"^\S{8,25}$",
            pattern_hint="must be 8 to 25 characters without spaces",
            description="Vonage API Dashboard > API Settings.",
        ),
        CredentialField(
            name="applicationId",
            label="Application ID",
            pattern=UUID_PATTERN,
            pattern_hint=UUID_HINT,
            description="The Voice application whose answer URL receives inbound calls.",
            placeholder="aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
        ),
        CredentialField(
            name="privateKey",
            label="Private Key",
            type=FieldType.TEXTAREA,
            secret=True,
            pattern=(
                r"^-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+-----END (?:RSA )?PRIVATE KEY-----$"
            ),
            pattern_hint=(
                "must be the application's PEM private key, from -----BEGIN PRIVATE KEY----- "
                "to -----END PRIVATE KEY-----"
            ),
            description="The private key generated with the application; signs Voice API calls.",
            placeholder="-----BEGIN PRIVATE KEY-----",
        ),
        opaque_secret(
            "signatureSecret",
            "Signature Secret",
            "Vonage API Dashboard > API Settings > Signature secret. Verifies the signed "
            "callbacks of Vonage webhooks.",
            required=False,
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["apiKey"].strip()

    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> VonageApi:
        if http.overridden(self.key):
            rest_host = api_host = http.base(self.key, REST_HOST)
        else:
            rest_host, api_host = REST_HOST, API_HOST
        return VonageApi(http, rest_host, api_host, credentials)

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        api = self.api(http, credentials)
        balance = (await api.balance()).get("value")
        app = await api.application()
        return (
            f"Vonage accepted API key {api.api_key} (balance {balance if balance is not None else 'unknown'}) "
            f"and found application '{app.get('name') or api.application_id}'."
        )

    def attached(self, api: VonageApi, number: InboundNumber, application: tuple[dict[str, Any], bool]) -> str:
        app, updated = application
        name = app.get("name") or api.application_id
        updated_note = ", whose answer URL was updated" if updated else ""
        return f"Vonage now sends inbound calls to {number.address} to Switchboard through application '{name}'{updated_note}."

    def not_linked(self, api: VonageApi, number: InboundNumber) -> str:
        return f"{number.address} is not linked to application {api.application_id} at Vonage; left as it is."

    def detached(self, api: VonageApi, number: InboundNumber) -> str:
        return f"{number.address} is unlinked from application {api.application_id}; Vonage no longer sends its calls to Switchboard."
