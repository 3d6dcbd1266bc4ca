"""The Call Control commands that answer a Telnyx call, against telnyx-python's parameter types."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from fakes.telnyx import ActionAnswerParams, ActionRejectParams, invalid_parameters
from switchboard.providers.inbound import StreamTarget
from switchboard.providers.telnyx.commands import REJECT_COMMAND, answer_command, command_answer

TARGET = StreamTarget("wss://agent.example/media?tenant=7", "SW5ib3VuZENhbGw6MQ==", "V29ya2Zsb3c6Mg==", "+14155559876", "+14155550100")


@pytest.mark.parametrize(("params", "command"), [(ActionAnswerParams, answer_command(TARGET)), (ActionRejectParams, REJECT_COMMAND)])
def test_commands_use_only_the_sdks_parameters_and_values(params, command):
    assert invalid_parameters(params, command) is None


def test_the_stream_url_keeps_the_agents_query_and_adds_the_names():
    url = urlsplit(answer_command(TARGET)["stream_url"])
    assert (url.scheme, url.netloc, url.path) == ("wss", "agent.example", "/media")
    assert parse_qs(url.query) == {
        "tenant": ["7"],
        "callId": [TARGET.call_id],
        "workflowId": [TARGET.workflow_id],
        "from": [TARGET.calling],
        "to": [TARGET.called],
    }


def test_the_command_is_the_same_for_every_delivery_of_a_call():
    command = answer_command(TARGET)
    assert command == answer_command(TARGET) and command["command_id"] == TARGET.call_id
    assert json.loads(base64.b64decode(command["client_state"], validate=True)) == {"callId": TARGET.call_id}


def test_the_webhook_answer_is_the_command_as_json():
    answer = command_answer(REJECT_COMMAND)
    assert (answer.status_code, answer.media_type) == (200, "application/json")
    assert json.loads(answer.body) == REJECT_COMMAND
