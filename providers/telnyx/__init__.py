"""Telnyx: API v2 with a Call Control application (connection).

The inbound webhook (`webhook_event_url`) lives on the Call Control application, which every
number on it shares; a number follows it through its `connection_id`. Attach makes sure the
application points at Switchboard and puts the number on it; detach only takes the number off.
Every call event of the application comes to that one URL as signed JSON; calls are answered
through the REST API (Call Control commands), not in the webhook's response.
"""

from .provider import TelnyxProvider

__all__ = ["TelnyxProvider"]
