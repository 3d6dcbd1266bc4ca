"""TwiML answers, spoken by Twilio, SignalWire's cXML and Cloudonix's CXML."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .inbound import REJECTION_MESSAGE, StreamTarget, WebhookAnswer

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def xml_answer(document: str) -> WebhookAnswer:
    return WebhookAnswer((XML_DECLARATION + document).encode(), "text/xml")


def connect_stream(
    target: StreamTarget, *, parameters: bool = True, then_hang_up: bool = False
) -> WebhookAnswer:
    """``<Connect><Stream>``: the call's audio both ways to the agent. The names go as
    ``<Parameter>`` elements (the agent gets them in the stream's start message) when the dialect
    has them, else in the stream URL's query. ``then_hang_up`` ends the call with ``<Hangup />``
    when the stream ends, for dialects whose document goes on after it."""
    if parameters:
        children = "".join(f"<Parameter name={quoteattr(k)} value={quoteattr(v)} />" for k, v in target.parameters().items())
        stream = f"<Stream url={quoteattr(target.url)}>{children}</Stream>"
    else:
        stream = f"<Stream url={quoteattr(target.url_with_parameters())} />"
    return xml_answer(f"<Response><Connect>{stream}</Connect>{'<Hangup />' if then_hang_up else ''}</Response>")


def say_and_hang_up() -> WebhookAnswer:
    return xml_answer(f"<Response><Say>{escape(REJECTION_MESSAGE)}</Say><Hangup /></Response>")
