"""Vonage's NCCO answers against vonage-voice's models, and what attach and detach do to a Voice
application's webhooks."""

import json
from urllib.parse import parse_qs, urlsplit

from switchboard.providers.inbound import REJECTION_MESSAGE, StreamTarget
from switchboard.providers.vonage.application import point_webhooks, previous_event_url, status_url
from switchboard.providers.vonage.ncco import connect_websocket, talk_and_end
from vonage_voice.models.connect_endpoints import WebsocketEndpoint
from vonage_voice.models.ncco import Connect, Talk

TARGET = StreamTarget("wss://agent.example/media", "SW5ib3VuZENhbGw6MQ==", "V29ya2Zsb3c6Mg==", "+14155559876", "+14155550100")
INBOUND = "https://switchboard.example/telephony/vonage/inbound?account=abcd1234"
STATUS = "https://switchboard.example/telephony/vonage/status?account=abcd1234"
THEIRS = {"address": "https://crm.example/events?x=1&y=2", "http_method": "GET", "socket_timeout": 3000}


def test_the_stream_answer_is_the_ncco_the_sdk_builds():
    answer = connect_websocket(TARGET)
    assert (answer.status_code, answer.media_type) == (200, "application/json")
    endpoint = WebsocketEndpoint(uri=TARGET.url, contentType="audio/l16;rate=16000", headers=TARGET.parameters())
    expected = Connect(endpoint=[endpoint], from_="14155550100")
    assert json.loads(answer.body) == [expected.model_dump(by_alias=True, exclude_none=True)]


def test_the_reject_answer_speaks_and_ends():
    answer = talk_and_end()
    assert json.loads(answer.body) == [Talk(text=REJECTION_MESSAGE).model_dump(by_alias=True, exclude_none=True)]


def test_the_status_url_is_the_inbound_url_with_status():
    assert status_url(INBOUND) == STATUS


def test_attach_points_both_urls_and_keeps_the_event_url_it_replaces():
    webhooks = {"answer_url": {"address": "https://old.example/answer", "http_method": "GET", "connect_timeout": 1}, "event_url": dict(THEIRS)}
    changed = point_webhooks(webhooks, INBOUND)
    assert changed == {"answer_url": {"address": "https://old.example/answer", "http_method": "GET", "connect_timeout": 1}, "event_url": THEIRS}
    assert webhooks["answer_url"] == {"address": INBOUND, "http_method": "POST", "connect_timeout": 1}
    event = webhooks["event_url"]
    assert (event["http_method"], event["socket_timeout"]) == ("POST", 3000)
    address = urlsplit(event["address"])
    assert address._replace(query="").geturl() == STATUS.split("?")[0]
    assert parse_qs(address.query)["account"] == ["abcd1234"]
    assert previous_event_url(webhooks, INBOUND) == THEIRS

    assert point_webhooks(webhooks, INBOUND) is None, "pointed already: nothing to write, the remembered URL stays"
    assert previous_event_url(webhooks, INBOUND) == THEIRS


def test_an_application_without_an_event_url_gets_ours_and_has_nothing_to_give_back():
    webhooks: dict = {}
    assert point_webhooks(webhooks, INBOUND) == {"answer_url": {}, "event_url": {}}
    assert webhooks["event_url"] == {"address": STATUS, "http_method": "POST"}
    assert previous_event_url(webhooks, INBOUND) is None


def test_nothing_is_given_back_when_the_event_url_is_no_longer_ours():
    webhooks = {"event_url": dict(THEIRS)}
    point_webhooks(webhooks, INBOUND)
    webhooks["event_url"]["address"] = webhooks["event_url"]["address"].replace("switchboard.example", "elsewhere.example")
    assert previous_event_url(webhooks, INBOUND) is None
