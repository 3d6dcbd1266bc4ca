"""The operations measured, as the request bodies the load driver sends (one JSON body a line).

A body may contain `{{N}}`: the driver replaces it with a number unique to the request (nine
digits), which is how the write mix creates distinct phone numbers under any concurrency.

The inbound scenario is Twilio's call webhook, signed: its lines are "<signature> <form body>",
made before each run (the signature covers the CallSid, which is new for every call).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import orjson
from switchboard.resolvers.ids import to_cursor, to_global_id
from twilio.request_validator import RequestValidator

from . import driver
from .dataset import PUBLIC_BASE_URL, Dataset, InboundTarget

DASHBOARD = """query Dashboard($configs: Int, $numbers: Int) {
  organization { name defaultOutboundConfig { name } }
  telephonyConfigs(first: $configs) {
    totalCount
    nodes {
      id name provider isDefaultOutbound
      phoneNumberCount activePhoneNumberCount concurrencyCapacity
      readyForOutbound outboundBlockedReason
      defaultCallerId { addressNormalized }
      warnings { code severity message }
      phoneNumbers(first: $numbers) { totalCount nodes { addressNormalized label isActive inboundWorkflowName } }
    }
  }
  telephonyConfigWarnings {
    totalCount affectedConfigCount
    counts { code severity count }
    items(first: 20) { code severity message telephonyConfig { name } phoneNumber { addressNormalized } }
  }
}"""

NUMBER_PAGE = """query NumberPage($first: Int, $after: String) {
  phoneNumbers(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id address addressNormalized label isActive isDefaultCallerId telephonyConfig { name } inboundWorkflowName }
  }
}"""

SEARCH = """query SearchNumbers($search: String, $first: Int) {
  phoneNumbers(search: $search, first: $first) {
    totalCount
    nodes { id addressNormalized label isActive telephonyConfig { name } inboundWorkflowName }
  }
}"""

# What people type into a number table's search box: digits, a formatted fragment, a label.
SEARCH_TERMS = ("628", "(415) 3", "+44207", "support", "Sales 1", "sip:line", "front desk", "desk.1", "99", "Escalations 5")

_PAYLOAD = "phoneNumber { id label isDefaultCallerId inboundWorkflowName } providerSync { ok action message } errors { code message field }"
CREATE_NUMBER = f"""mutation CreateNumber($input: CreatePhoneNumberInput!) {{
  createPhoneNumber(input: $input) {{ {_PAYLOAD} }}
}}"""
UPDATE_NUMBER = f"""mutation UpdateNumber($input: UpdatePhoneNumberInput!) {{
  updatePhoneNumber(input: $input) {{ {_PAYLOAD} }}
}}"""
CLEAR_WORKFLOW = f"""mutation ClearWorkflow($id: ID!) {{
  clearInboundWorkflow(input: {{phoneNumberId: $id}}) {{ {_PAYLOAD} }}
}}"""
SET_DEFAULT_CALLER_ID = f"""mutation SetDefaultCallerId($id: ID!) {{
  setDefaultCallerId(input: {{phoneNumberId: $id}}) {{ {_PAYLOAD} }}
}}"""

PAGE_SIZE = 100


@dataclass(frozen=True)
class Scenario:
    name: str
    bodies: list[bytes]
    has_reference: bool


def body(query: str, variables: dict) -> bytes:
    return orjson.dumps({"query": query, "variables": variables})


def dashboard(_: Dataset, configs: int = 50, numbers: int = 5) -> list[bytes]:
    return [body(DASHBOARD, {"configs": configs, "numbers": numbers})]


def number_pages(dataset: Dataset, size: int = PAGE_SIZE) -> list[bytes]:
    """The walk through every page of the organization's numbers, cursor by cursor."""
    ids = dataset.number_ids
    cursors = [None] + [to_cursor(ids[end - 1]) for end in range(size, len(ids), size)]
    return [body(NUMBER_PAGE, {"first": size, "after": cursor}) for cursor in cursors]


def searches(_: Dataset, first: int = 20) -> list[bytes]:
    return [body(SEARCH, {"search": term, "first": first}) for term in SEARCH_TERMS]


def write_mix(dataset: Dataset) -> list[bytes]:
    """Cycles of five edits: create a number, relabel one, bind one to a workflow (the provider
    is told through the fake Twilio), make one the default caller ID, unbind the bound one."""
    number = lambda database_id: to_global_id("PhoneNumber", database_id)  # noqa: E731
    configs = [to_global_id("TelephonyConfig", c) for c in dataset.config_ids]
    workflows = [to_global_id("Workflow", w) for w in dataset.workflow_ids]
    ids, candidates = dataset.number_ids, dataset.caller_id_candidates
    bodies = []
    for k, (_account, _e164, target) in enumerate(dataset.bind_targets):
        create = {"telephonyConfigId": configs[k % len(configs)], "address": "+12{{N}}", "label": "Bench {{N}}"}
        bodies += [
            body(CREATE_NUMBER, {"input": create}),
            body(UPDATE_NUMBER, {"input": {"id": number(ids[(k * 83) % len(ids)]), "label": "Edited {{N}}"}}),
            body(UPDATE_NUMBER, {"input": {"id": number(target), "inboundWorkflowId": workflows[k % len(workflows)]}}),
            body(SET_DEFAULT_CALLER_ID, {"id": number(candidates[k % len(candidates)])}),
            body(CLEAR_WORKFLOW, {"id": number(target)}),
        ]
    return bodies


def read_scenarios(dataset: Dataset) -> list[Scenario]:
    return [
        Scenario("dashboard", dashboard(dataset), has_reference=True),
        Scenario("number_page", number_pages(dataset), has_reference=True),
        Scenario("search", searches(dataset), has_reference=True),
    ]


def write_scenario(dataset: Dataset) -> Scenario:
    return Scenario("write_mix", write_mix(dataset), has_reference=False)


INBOUND_PATH = "/telephony/twilio/inbound"
SIGNATURE_HEADER = "X-Twilio-Signature"
# What every answer to an accepted call contains; a rejection (<Say>, <Hangup />) does not.
STREAM_ANSWER = b"<Response><Connect><Stream "
_PLACES = {"US": ("SAN FRANCISCO", "CA", "94105"), "GB": ("LONDON", "", "")}


def inbound_form(target: InboundTarget, call_sid: str, caller: str) -> dict[str, str]:
    """The parameters Twilio sends when `caller` dials the target number."""
    to_city, to_state, to_zip = _PLACES.get(target.country, ("", "", ""))
    from_city, from_state, from_zip = _PLACES["US"]
    return {
        "AccountSid": target.account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Called": target.number,
        "CalledCity": to_city,
        "CalledCountry": target.country,
        "CalledState": to_state,
        "CalledZip": to_zip,
        "Caller": caller,
        "CallerCity": from_city,
        "CallerCountry": "US",
        "CallerState": from_state,
        "CallerZip": from_zip,
        "Direction": "inbound",
        "From": caller,
        "FromCity": from_city,
        "FromCountry": "US",
        "FromState": from_state,
        "FromZip": from_zip,
        "To": target.number,
        "ToCity": to_city,
        "ToCountry": target.country,
        "ToState": to_state,
        "ToZip": to_zip,
    }


@dataclass(frozen=True)
class SignedCall:
    target: InboundTarget
    form: dict[str, str]
    signature: str

    @property
    def body(self) -> bytes:
        return urlencode(self.form).encode()

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": driver.FORM, SIGNATURE_HEADER: self.signature}


def inbound_calls(dataset: Dataset, tag: int, count: int) -> list[SignedCall]:
    """`count` calls to the dataset's bound Twilio numbers in turn, signed with twilio-python's
    RequestValidator over Switchboard's public URL. Each CallSid is made of `tag` and the call's
    position: no two calls of distinct tags, or of one tag, are the same call."""
    url = PUBLIC_BASE_URL + INBOUND_PATH
    validators = {sid: RequestValidator(token) for sid, token in dataset.twilio_accounts.items()}
    targets = dataset.inbound_targets
    calls = []
    for n in range(count):
        target = targets[n % len(targets)]
        form = inbound_form(target, f"CA{tag:08x}{n:024x}", f"+1415{2_000_000 + n % 8_000_000:07d}")
        calls.append(SignedCall(target, form, validators[target.account_sid].compute_signature(url, form)))
    return calls


def inbound_workload(dataset: Dataset, tag: int, count: int) -> driver.Workload:
    """A run's worth of distinct signed calls, each of which must be answered with a stream."""
    lines = [call.signature.encode() + b" " + call.body for call in inbound_calls(dataset, tag, count)]
    return driver.Workload(INBOUND_PATH, lines, driver.FORM, signed_by=SIGNATURE_HEADER, expect=STREAM_ANSWER, once=True)


def substitute(body_template: bytes, n: int) -> bytes:
    """What the driver does to a body: `{{N}}` becomes `n` in nine digits."""
    return body_template.replace(b"{{N}}", b"%09d" % n)


def soak_mix(dataset: Dataset) -> list[bytes]:
    """Everything in the proportions of a working day: per dashboard, ten table pages, four
    searches and one cycle of five edits."""
    pages, found, edits = number_pages(dataset), searches(dataset), write_mix(dataset)
    cycles = len(edits) // 5
    bodies = []
    for k in range(cycles):
        bodies += dashboard(dataset)
        bodies += [pages[(10 * k + i) % len(pages)] for i in range(10)]
        bodies += [found[(4 * k + i) % len(found)] for i in range(4)]
        bodies += edits[5 * k : 5 * k + 5]
    return bodies
