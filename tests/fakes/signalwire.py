"""SignalWire's compatibility (LaML/cXML) REST API: Twilio's 2010-04-01 shape under /api/laml.

The API reference (and signalwire-ruby) put it at `https://{space}/api/laml/2010-04-01`, and so do
the `uri` and `next_page_uri` fields of its answers; the official Python (signalwire 2.1) and Node
(@signalwire/compatibility-api) SDKs set the twilio client's base URL to `https://{space}` and so
request `/2010-04-01/...` directly: the space serves both, and so does the fake.

Accounts are projects (UUID sids, Basic projectId:apiToken); numbers, applications and trunks
have UUID sids; errors are Twilio-shaped with SignalWire's documentation links.
"""

import uuid

from .twilio_compat import TwilioCompatibleFake


class SignalwireFake(TwilioCompatibleFake):
    key = "signalwire"
    prefix = "/api/laml/2010-04-01"
    prefix_aliases = ("/2010-04-01",)
    more_info = "https://www.signalwire.com/docs/errors/{code}"

    def new_sid(self, prefix: str) -> str:
        return str(uuid.uuid4())
