"""The reference of the inbound scenario: Twilio's call webhook on plain Starlette, by hand.

What Switchboard's front door does for a call it accepts, written straight: parse the form, the
routing query on the routing key (the same SQL as `db.inbound_calls.route_statement`: the number
joined to its configuration and its workflow), the auth token decrypted with Fernet under the
same key, Twilio's HMAC-SHA1 over the public URL and the sorted parameters, the call inserted
(once per number and CallSid, as Switchboard records it), and the `<Connect><Stream>` TwiML. As
in bench/reference.py, Switchboard's pure rules are reused (the called number's normalization,
the decision to accept, ID encoding) and its data access is not; the signature and the markup
are written here. An unknown number, a forged request or a call that cannot be taken gets the
rejection TwiML and records nothing: the bench only sends calls that are accepted.
"""

import base64
import hashlib
import hmac
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape, quoteattr

from cryptography.fernet import Fernet
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from switchboard.providers.inbound import REJECTION_MESSAGE
from switchboard.resolvers.ids import to_global_id
from switchboard.resolvers.rules.addresses import InvalidAddress, InvalidCountryCode, normalize_address
from switchboard.resolvers.rules.inbound import decide

from .reference import Database, _json

PATH = "/telephony/twilio/inbound"
CALL_MAX_SECONDS = 4 * 3600  # SWITCHBOARD_CALL_MAX_SECONDS' default

ROUTE = """
SELECT n.id, n.organization_id, n.telephony_config_id, n.is_active, n.inbound_workflow_id, c.credentials,
       c.max_concurrent_calls, w.agent_stream_url,
       CASE WHEN (c.max_concurrent_calls IS NULL) THEN 0 ELSE (
         SELECT count(*) FROM inbound_calls
         WHERE inbound_calls.telephony_config_id = n.telephony_config_id AND inbound_calls.status = 'CONNECTED'
           AND inbound_calls.started_at > ?) END
FROM phone_numbers n
JOIN telephony_configs c ON c.id = n.telephony_config_id
LEFT OUTER JOIN workflows w ON w.id = n.inbound_workflow_id
WHERE n.provider = ? AND n.provider_account_id = ? AND n.address_normalized = ?
ORDER BY n.account_verified DESC LIMIT 1"""

RECORD = """
INSERT INTO inbound_calls (organization_id, telephony_config_id, phone_number_id, workflow_id, provider,
                           provider_call_id, from_address, to_address, status, started_at)
VALUES (?, ?, ?, ?, 'twilio', ?, ?, ?, 'CONNECTED', ?)
ON CONFLICT (phone_number_id, provider_call_id) DO NOTHING RETURNING id"""

RECORDED = "SELECT id FROM inbound_calls WHERE phone_number_id = ? AND provider_call_id = ?"

XML = '<?xml version="1.0" encoding="UTF-8"?>'
REJECTION = f"{XML}<Response><Say>{escape(REJECTION_MESSAGE)}</Say><Hangup /></Response>".encode()


def signature_valid(token: str, urls: tuple[str, ...], form: list[tuple[str, str]], signature: str | None) -> bool:
    """Twilio's rule: base64 HMAC-SHA1, keyed by the auth token, of the URL followed by each
    parameter's name and value, names sorted (a name's distinct values sorted); the URL with or
    without its port."""
    if not signature:
        return False
    values: dict[str, set[str]] = defaultdict(set)
    for name, value in form:
        values[name].add(value)
    signed = "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    key = token.encode()
    for url in urls:
        digest = hmac.new(key, (url + signed).encode(), hashlib.sha1).digest()
        if hmac.compare_digest(base64.b64encode(digest).decode(), signature):
            return True
    return False


def stream_twiml(agent_url: str, call_id: int, workflow_id: int, calling: str, called: str) -> bytes:
    parameters = (("callId", to_global_id("InboundCall", call_id)), ("workflowId", to_global_id("Workflow", workflow_id)),
                  ("from", calling), ("to", called))
    children = "".join(f"<Parameter name={quoteattr(name)} value={quoteattr(value)} />" for name, value in parameters)
    return f"{XML}<Response><Connect><Stream url={quoteattr(agent_url)}>{children}</Stream></Connect></Response>".encode()


class InboundReference:
    def __init__(self, db: Database, public_base_url: str, secret_key: str) -> None:
        self.db = db
        base = public_base_url.rstrip("/")
        scheme, _, host = base.partition("://")
        self.urls = (f"{base}{PATH}", f"{scheme}://{host}:{443 if scheme == 'https' else 80}{PATH}")
        self.fernet = Fernet(secret_key.split(",")[0].strip().encode())

    async def call(self, request: Request) -> Response:
        form = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        params = dict(form)
        call_sid, account, called = params.get("CallSid"), params.get("AccountSid"), params.get("To") or params.get("Called")
        if not (call_sid and account and called):
            return PlainTextResponse("Not a Twilio call webhook.", 400)
        calling = params.get("From") or params.get("Caller") or ""
        try:
            address = normalize_address(called, params.get("ToCountry") or None).normalized
        except (InvalidAddress, InvalidCountryCode):
            return Response(REJECTION, media_type="text/xml")
        now = datetime.now(UTC)
        async with self.db.connection() as fetch:
            rows = await fetch(ROUTE, self.db.stored_time(now - timedelta(seconds=CALL_MAX_SECONDS)), "twilio", account, address)
        if not rows:
            return Response(REJECTION, media_type="text/xml")
        number_id, organization_id, config_id, active, workflow_id, credentials, limit, agent_url, in_progress = rows[0]
        token = self.fernet.decrypt(_json(credentials)["authToken"].encode()).decode()
        if not signature_valid(token, self.urls, form, request.headers.get("x-twilio-signature")):
            return Response(REJECTION, media_type="text/xml")
        accepted = decide(
            is_active=bool(active), workflow_id=workflow_id, agent_stream_url=agent_url, max_concurrent_calls=limit,
            calls_in_progress=in_progress,
        ) is None
        if not accepted:
            return Response(REJECTION, media_type="text/xml")
        async with self.db.write() as fetch:
            recorded = await fetch(
                RECORD, organization_id, config_id, number_id, workflow_id, call_sid, calling[:255], called[:255], self.db.stored_time(now)
            ) or await fetch(RECORDED, number_id, call_sid)
        return Response(stream_twiml(agent_url, recorded[0][0], workflow_id, calling, called), media_type="text/xml")
