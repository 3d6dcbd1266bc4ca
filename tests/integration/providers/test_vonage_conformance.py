"""Switchboard's Vonage requests against the official SDK's (vonage-account, vonage-numbers and
vonage-application on vonage-http-client, test dependencies): for each operation the SDK sends
what it would send to Vonage, to the same fake, and the two requests must say the same thing
(method, path, query, form or JSON body, Basic auth). The SDK is the reference, not our notes.

The SDK only speaks https (`https://{host}{path}`), so the fake is also served over TLS on
another port, with a certificate for localhost from a throwaway authority that requests is told
to trust; `HttpClientOptions` points both of its hosts there. Its calls block, so they run in a
thread while the fake answers on the test's event loop. Each call gets a client of its own:
vonage-http-client keeps the Content-Type of a JSON request in its headers, so a form POST after
it would go out labelled as JSON (which the fake, like Vonage, refuses)."""

import asyncio
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import pytest
from conftest import serving
from fakes.base import Recorded
from helpers import create_number
from test_telnyx import bound_fixture  # noqa: F401 (the `bound` fixture)
from test_twilio import CLEAR, VERIFY
from test_vonage import PBX, Vonage, linked_fixture, vonage_fixture  # noqa: F401 (fixtures)
from tls import issue
from vonage_account import Account
from vonage_application import Application, ApplicationConfig
from vonage_http_client import Auth, HttpClient, HttpClientOptions
from vonage_numbers import ListOwnedNumbersFilter, Numbers, UpdateNumberParams


@pytest.fixture(scope="module")
async def tls_fake(fakes, tmp_path_factory) -> AsyncIterator[tuple[str, str]]:
    """The Vonage fake (the same state and record) over https: its host:port and the CA file."""
    tls = issue(tmp_path_factory.mktemp("vonage-tls"), "localhost")
    app = fakes["vonage"].app()
    async with serving(app, lifespan="off", ssl_certfile=str(tls.certfile), ssl_keyfile=str(tls.keyfile)) as url:
        yield f"localhost:{urlsplit(url).port}", str(tls.ca_certfile)


@pytest.fixture
def sdk(vonage, tls_fake, monkeypatch) -> Callable[[], HttpClient]:
    """A new SDK client at the https fake, with the account's key and secret."""
    host, ca_file = tls_fake
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    auth = Auth(api_key=vonage.key, api_secret=vonage.credentials["apiSecret"])
    return lambda: HttpClient(auth, HttpClientOptions(api_host=host, rest_host=host, max_retries=0))


def said(request: Recorded) -> dict:
    """What a request says to the API, bodies parsed as their content type says."""
    content_type = request.headers.get("content-type", "").partition(";")[0] if request.body else None
    return {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "authorization": request.headers.get("authorization"),
        "content-type": content_type,
        "body": request.form if content_type == "application/x-www-form-urlencoded" else request.json,
    }


async def sdk_said(vonage: Vonage, client: HttpClient, call: Callable[[HttpClient], object]) -> dict:
    """What `call` made the SDK say through `client` (the fake's record is cleared first: take
    Switchboard's before). The client's connections are closed after, so the fake can stop."""
    vonage.fake.reset()
    try:
        await asyncio.to_thread(call, client)
    finally:
        client._session.close()  # the SDK has no close of its own
    [request] = vonage.fake.requests
    return said(request)


async def test_the_credential_check_is_the_sdks_balance_and_application(synced_api, vonage, bound, sdk):
    config, _ = bound
    await synced_api.query(VERIFY, {"id": config["id"]})
    balance, application = vonage.fake.sent("GET")
    assert said(balance) == await sdk_said(vonage, sdk(), lambda client: Account(client).get_balance())
    assert said(application) == await sdk_said(vonage, sdk(), lambda client: Application(client).get_application(vonage.app_id))


async def test_attach_and_detach_send_what_the_sdk_sends(synced_api, vonage, bound, sdk):
    """Lookup, the application's full update (everything Switchboard sends back is what the SDK's
    model of the application sends), the link, the unlink that puts back the other application
    and its SIP forwarding, the count of linked numbers and the event URL given back."""
    config, workflow = bound
    vonage.route_elsewhere("+14155550100")
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    lookup, _ = vonage.fake.sent("GET")
    [app_update], [link] = vonage.app_updates(), vonage.number_updates()
    vonage.fake.reset()
    await synced_api.query(CLEAR, {"id": number["id"]})
    [restore], count = vonage.number_updates(), vonage.fake.sent("GET", "/account/numbers")[-1]
    [event_url_back] = vonage.app_updates()
    msisdn = {"country": "US", "msisdn": "14155550100"}

    # Clearing the SIP forwarding: the SDK's VoiceCallbackType has sip and tel only, no way to
    # empty them; the rest of the request is the SDK's link.
    linked_said = said(link)
    cleared = {name: linked_said["body"].pop(name) for name in ("voiceCallbackType", "voiceCallbackValue")}
    assert cleared == {"voiceCallbackType": "", "voiceCallbackValue": ""}
    for ours, call in (
        (
            said(lookup),
            lambda c: Numbers(c).list_owned_numbers(
                ListOwnedNumbersFilter(pattern="14155550100", search_pattern=1, size=100, index=1)
            ),
        ),
        (
            said(app_update),
            lambda c: Application(c).update_application(vonage.app_id, ApplicationConfig.model_validate(app_update.json)),
        ),
        (linked_said, lambda c: Numbers(c).update_number(UpdateNumberParams(**msisdn, app_id=vonage.app_id))),
        (
            said(restore),
            lambda c: Numbers(c).update_number(
                UpdateNumberParams(**msisdn, app_id=vonage.other, voice_callback_type="sip", voice_callback_value=PBX)
            ),
        ),
        (said(count), lambda c: Numbers(c).list_owned_numbers(ListOwnedNumbersFilter(application_id=vonage.app_id, size=1))),
        (
            said(event_url_back),
            lambda c: Application(c).update_application(vonage.app_id, ApplicationConfig.model_validate(event_url_back.json)),
        ),
    ):
        assert ours == await sdk_said(vonage, sdk(), call), ours["path"]


async def test_an_unlink_is_the_sdks_empty_app_id(synced_api, vonage, bound, sdk):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    await synced_api.query(CLEAR, {"id": number["id"]})
    [_, unlink] = vonage.number_updates()
    params = UpdateNumberParams(country="US", msisdn="14155550100", app_id="")
    assert said(unlink) == await sdk_said(vonage, sdk(), lambda client: Numbers(client).update_number(params))
    assert vonage.link("+14155550100") is None
