"""Plivo XML answers against the SDKs' builders: plivo's ``plivoxml`` and vobiz's ``vobiz.xml``
must build the same document (elements, attributes, text) as Switchboard's."""

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from plivo import plivoxml
from switchboard.providers.inbound import REJECTION_MESSAGE, StreamTarget
from switchboard.providers.plivo.markup import STREAM_CONTENT_TYPE, speak_and_hang_up, stream
from vobiz import xml as vobizxml

BUILDERS = [pytest.param(plivoxml, id="plivo"), pytest.param(vobizxml, id="vobiz")]
TARGET = StreamTarget(
    url="wss://agent.example.test/media?tenant=a&b=<c>",
    call_id="SW5ib3VuZENhbGw6MTIz-_",
    workflow_id="V29ya2Zsb3c6NDU2",
    calling="+14155559876",
    called="+919876543210",
)


def tree(element: ET.Element) -> tuple:
    return (element.tag, dict(element.attrib), (element.text or "").strip(), [tree(child) for child in element])


def parsed(body: bytes | str) -> tuple:
    return tree(ET.fromstring(body))


@pytest.mark.parametrize("sdk", BUILDERS)
def test_the_stream_answer_is_the_sdks_bidirectional_stream(sdk):
    answer = stream(TARGET)
    assert answer.media_type == "text/xml" and answer.status_code == 200
    assert answer.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    element = sdk.StreamElement(
        TARGET.url_with_parameters(), bidirectional=True, keepCallAlive=True, contentType=STREAM_CONTENT_TYPE
    )
    expected = sdk.ResponseElement().add(element).to_string(False)
    assert parsed(answer.body) == parsed(expected)


def test_the_agent_gets_the_calls_names_in_the_stream_urls_query():
    text = ET.fromstring(stream(TARGET).body).find("Stream").text
    url = urlsplit(text)
    assert (url.scheme, url.netloc, url.path) == ("wss", "agent.example.test", "/media")
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert query == {"tenant": "a", "b": "<c>", **TARGET.parameters()}
    assert b"extraHeaders" not in stream(TARGET).body, "ids and + numbers are not alphanumeric"


@pytest.mark.parametrize("sdk", BUILDERS)
def test_the_reject_answer_is_the_sdks_speak_and_hangup(sdk):
    answer = speak_and_hang_up()
    assert answer.media_type == "text/xml" and answer.status_code == 200
    expected = sdk.ResponseElement().add_speak(REJECTION_MESSAGE).add_hangup().to_string(False)
    assert parsed(answer.body) == parsed(expected)
