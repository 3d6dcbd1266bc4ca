"""The one HTTP client for provider calls: timeouts, bounded retries, failure classification.

Every provider plugin talks to its API through `ProviderHttp.request`, so the rules live in
one place: connect timeout 5 s and a total budget (15 s by default) per operation; retries with
exponential backoff on 429 and 5xx that honour `Retry-After` while the budget allows; failures
classified by status into `ProviderError`s whose messages a user can act on. Request bodies,
headers and credentials never appear in messages or logs. Redirects are never followed: a 3xx is
a failure. Hosts that tenants supply are vetted first (`url_guard`) and reached at the vetted
address (`request`'s `tenant_host`). Each call (its retries included) is reported to the
observer, when there is one, with the provider and operation its budget names.
"""

import asyncio
import email.utils
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

import httpx

from .errors import FailureKind, ProviderError
from .url_guard import UrlGuard

log = logging.getLogger("switchboard.providers")

CONNECT_TIMEOUT = 5.0
DEFAULT_TOTAL_TIMEOUT = 15.0
MAX_ATTEMPTS = 3
BASE_BACKOFF = 0.25
MAX_RETRY_AFTER = 5.0

_DEFAULT_PORTS = {"http": 80, "https": 443}


class ProviderOperation(StrEnum):
    """What a budget's calls are for: the provider plugin's operation."""

    VERIFY = "verify"
    ATTACH = "attach"
    DETACH = "detach"
    LIST_NUMBERS = "list_numbers"
    ANSWER_CALL = "answer_call"


# The labels of a call made outside any budget that names its provider and operation.
UNLABELLED = "(other)"
OK = "ok"
# The call ended otherwise than with an answer or a ProviderError (cancelled, say).
ABORTED = "aborted"

# Called with the provider's key, the operation, the outcome (OK, ABORTED or a FailureKind in
# lower case) and the call's seconds, retries included.
CallObserver = Callable[[str, str, str, float], None]

_deadline: ContextVar[float | None] = ContextVar("provider_deadline", default=None)
_labels: ContextVar[tuple[str, str]] = ContextVar("provider_call_labels", default=(UNLABELLED, UNLABELLED))


def _retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds to wait: Retry-After (seconds or an HTTP date), else x-ratelimit-reset (Telnyx)."""
    value = response.headers.get("retry-after")
    if not value and response.status_code == 429:
        reset = response.headers.get("x-ratelimit-reset", "").strip()
        return float(reset) if reset.isdigit() else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


class ProviderHttp:
    def __init__(
        self,
        api_bases: Mapping[str, str] | None = None,
        *,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        url_guard: UrlGuard | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self.total_timeout = total_timeout
        self._observer = observer
        self._api_bases = {k: v.rstrip("/") for k, v in (api_bases or {}).items() if v}
        self._url_guard = url_guard or UrlGuard()
        timeout = httpx.Timeout(total_timeout, connect=min(CONNECT_TIMEOUT, total_timeout))
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, headers={"User-Agent": "Switchboard"})
        # Tenant-supplied hosts are reached by address (see _pinned). Kept-alive connections are
        # pooled by address, so one opened (and its certificate checked) for one name could carry a
        # request for another name on the same address: none are kept. No proxy from the
        # environment either, since a proxy would connect wherever the name resolves for it;
        # SSL_CERT_FILE and SSL_CERT_DIR are honoured as by the other client.
        self._tenant_client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": "Switchboard"},
            trust_env=False,
            verify=httpx.create_ssl_context(),
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    def base(self, provider_key: str, default: str) -> str:
        """The provider's API base URL: `SWITCHBOARD_<PROVIDER>_API_BASE` when set, else `default`."""
        return self._api_bases.get(provider_key, default.rstrip("/"))

    def overridden(self, provider_key: str) -> bool:
        return provider_key in self._api_bases

    @contextmanager
    def budget(self, provider_key: str | None = None, operation: ProviderOperation | None = None) -> Iterator[None]:
        """All requests inside share one total deadline (an operation may take several requests).
        A budget inside another keeps the outer deadline; `provider_key` and `operation` label the
        calls inside (the innermost budget that names them)."""
        token = _deadline.set(time.monotonic() + self.total_timeout) if _deadline.get() is None else None
        labels = _labels.set((provider_key, operation.value)) if provider_key and operation else None
        try:
            yield
        finally:
            if labels is not None:
                _labels.reset(labels)
            if token is not None:
                _deadline.reset(token)

    @contextmanager
    def _observed(self) -> Iterator[None]:
        """Report the call inside to the observer."""
        if self._observer is None:
            yield
            return
        started = time.perf_counter()
        outcome = ABORTED
        try:
            yield
            outcome = OK
        except ProviderError as exc:
            outcome = exc.kind.value.lower()
            raise
        finally:
            self._observer(*_labels.get(), outcome, time.perf_counter() - started)

    def _remaining(self) -> float:
        deadline = _deadline.get()
        return self.total_timeout if deadline is None else deadline - time.monotonic()

    def budget_left(self) -> bool:
        """Whether the current budget (see `budget`) has time left for another request."""
        return self._remaining() > 0

    async def request(self, provider: str, method: str, url: str, *, tenant_host: bool = False, **kwargs: Any) -> httpx.Response:
        """Send with retries; return a 2xx response, raise ProviderError otherwise.

        `tenant_host`: the URL's host is one a tenant supplied (not an operator-configured API
        base): its addresses are vetted once, and every attempt goes to the vetted one."""
        with self._observed():
            return await self._send(provider, method, url, tenant_host=tenant_host, **kwargs)

    async def _send(self, provider: str, method: str, url: str, *, tenant_host: bool, **kwargs: Any) -> httpx.Response:
        client = self._client
        if tenant_host:
            client = self._tenant_client
            url, kwargs = await self._pinned(provider, url, kwargs)
        attempt = 0
        while True:
            attempt += 1
            remaining = self._remaining()
            if remaining <= 0:
                raise ProviderError(FailureKind.UNREACHABLE, f"{provider} did not answer within {self.total_timeout:g} s.")
            try:
                async with asyncio.timeout(remaining):
                    response = await client.request(method, url, **kwargs)
            except (TimeoutError, httpx.TimeoutException) as exc:
                log.warning("%s %s %s: timed out", provider, method, _path(url))
                raise ProviderError(
                    FailureKind.UNREACHABLE, f"{provider} did not answer within {self.total_timeout:g} s."
                ) from exc
            except httpx.TransportError as exc:
                log.warning("%s %s %s: %s", provider, method, _path(url), type(exc).__name__)
                if attempt < MAX_ATTEMPTS and await self._pause(attempt, None):
                    continue
                raise ProviderError(
                    FailureKind.UNREACHABLE, f"Could not connect to {provider} ({_transport_reason(exc)})."
                ) from exc
            status = response.status_code
            if status < 300:
                return response
            if (status == 429 or status >= 500) and attempt < MAX_ATTEMPTS:
                if await self._pause(attempt, _retry_after_seconds(response)):
                    continue
            log.warning("%s %s %s: HTTP %s", provider, method, _path(url), status)
            raise _classify(provider, status)

    async def _pinned(self, provider: str, url: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The request to the vetted address of the URL's host: the URL names the address, while
        the Host header and TLS (the SNI name and the certificate check, httpcore's
        ``sni_hostname`` extension) keep the host name."""
        target = httpx.URL(url)
        host = target.raw_host.decode("ascii")
        port = target.port or _DEFAULT_PORTS[target.scheme]
        try:
            async with asyncio.timeout(self._remaining()):
                address = await self._url_guard.vetted_address(provider, host, port)
        except TimeoutError as exc:
            raise ProviderError(
                FailureKind.UNREACHABLE, f"Could not connect to {provider} ({host} did not resolve in time)."
            ) from exc
        headers = httpx.Headers(kwargs.get("headers"))
        headers["Host"] = target.netloc.decode("ascii")
        extensions = {**kwargs.get("extensions", {}), "sni_hostname": host}
        return str(target.copy_with(host=str(address))), {**kwargs, "headers": headers, "extensions": extensions}

    async def json(self, provider: str, method: str, url: str, *, tenant_host: bool = False, **kwargs: Any) -> Any:
        """`request`, and the answer's JSON (a malformed one is the call's failure)."""
        with self._observed():
            response = await self._send(provider, method, url, tenant_host=tenant_host, **kwargs)
            try:
                return response.json()
            except ValueError as exc:
                raise ProviderError(
                    FailureKind.BAD_RESPONSE, f"{provider} answered with malformed JSON (HTTP {response.status_code})."
                ) from exc

    async def _pause(self, attempt: int, retry_after: float | None) -> bool:
        """Wait before the next attempt; False when the wait would not fit in the budget."""
        wait = retry_after if retry_after is not None else BASE_BACKOFF * 2 ** (attempt - 1)
        wait = min(wait, MAX_RETRY_AFTER)
        if wait >= self._remaining():
            return False
        await asyncio.sleep(wait)
        return True

    async def aclose(self) -> None:
        await self._client.aclose()
        await self._tenant_client.aclose()


def _path(url: str) -> str:
    """Log the path only: queries may hold identifiers a log reader need not see."""
    return httpx.URL(url).path


def _transport_reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or host unreachable"
    return "the connection failed"


def _classify(provider: str, status: int) -> ProviderError:
    if status < 400:
        return ProviderError(
            FailureKind.BAD_RESPONSE,
            f"{provider} answered with a redirect (HTTP {status}), which Switchboard does not follow; "
            "if the address has moved, enter the one it redirects to.",
        )
    if status in (401, 403):
        return ProviderError(FailureKind.REJECTED, f"{provider} rejected the credentials (HTTP {status}).")
    if status == 404:
        return ProviderError(FailureKind.NOT_FOUND, f"{provider} does not know the requested resource (HTTP 404).")
    if status == 429:
        return ProviderError(FailureKind.RATE_LIMITED, f"{provider} is rate-limiting requests (HTTP 429); try again shortly.")
    if status >= 500:
        return ProviderError(FailureKind.UNREACHABLE, f"{provider} had an error of its own (HTTP {status}); try again later.")
    return ProviderError(FailureKind.REFUSED, f"{provider} refused the request (HTTP {status}).")
