"""Plivo XML answers; Vobiz speaks the same XML (its SDK's ``vobiz.xml`` is a copy of ``plivo.plivoxml``)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..inbound import REJECTION_MESSAGE, StreamTarget, WebhookAnswer
from ..twiml import xml_answer

# μ-law at 8 kHz, what Twilio's streams carry too, so an agent hears every provider alike.
STREAM_CONTENT_TYPE = "audio/x-mulaw;rate=8000"


def stream(target: StreamTarget) -> WebhookAnswer:
    """``<Stream bidirectional>``: the call's audio both ways to the agent, whose URL is the element's
    text. ``keepCallAlive`` keeps the call up for as long as the stream lasts (without it the document
    ends, and the call with it). The call's names go in the URL's query: ``extraHeaders`` allows
    letters and digits only, which global ids (``-``, ``_``) and ``+`` numbers are not."""
    return xml_answer(
        f'<Response><Stream bidirectional="true" keepCallAlive="true" contentType="{STREAM_CONTENT_TYPE}">'
        f"{escape(target.url_with_parameters())}</Stream></Response>"
    )


def speak_and_hang_up() -> WebhookAnswer:
    return xml_answer(f"<Response><Speak>{escape(REJECTION_MESSAGE)}</Speak><Hangup/></Response>")
