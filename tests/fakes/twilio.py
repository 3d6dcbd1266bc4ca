"""Twilio's REST API (api.twilio.com/2010-04-01)."""

from .twilio_compat import TwilioCompatibleFake


class TwilioFake(TwilioCompatibleFake):
    key = "twilio"
