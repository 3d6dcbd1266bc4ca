"""The operations measured, as the request bodies the load driver sends (one JSON body a line).

A body may contain `{{N}}`: the driver replaces it with a number unique to the request (nine
digits), which is how the write mix creates distinct phone numbers under any concurrency.
"""

from dataclasses import dataclass

import orjson
from switchboard.resolvers.ids import to_cursor, to_global_id

from .dataset import Dataset

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
