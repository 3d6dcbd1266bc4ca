"""Vonage (Nexmo): Voice API with an application; numbers link to the application.

The answer URL lives on the Voice application, which every linked number shares. Attach makes
sure the application answers at Switchboard and links the number to it; detach only unlinks the
number. Two hosts: rest.nexmo.com (account, numbers) and api.nexmo.com (applications), both with
HTTP Basic api_key:api_secret; SWITCHBOARD_VONAGE_API_BASE replaces both, paths unchanged.
"""

from .provider import VonageProvider

__all__ = ["VonageProvider"]
