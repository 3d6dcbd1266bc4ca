"""SignalWire's compatibility (LaML/cXML) REST API: Twilio's 2010-04-01 shape under /api/laml.

Accounts are projects (UUID sids, Basic projectId:apiToken); numbers, applications and trunks
have UUID sids; errors are Twilio-shaped with SignalWire's documentation links.
"""

import uuid

from .twilio_compat import TwilioCompatibleFake


class SignalwireFake(TwilioCompatibleFake):
    key = "signalwire"
    prefix = "/api/laml/2010-04-01"
    more_info = "https://www.signalwire.com/docs/errors/{code}"

    def new_sid(self, prefix: str) -> str:
        return str(uuid.uuid4())
