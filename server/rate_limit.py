"""A request rate limit per credential: a token bucket for each API key (or token) presented.

Each credential may send `burst` requests at once and `per_second` on average; beyond that
the request is answered HTTP 429 with `Retry-After`. The buckets live in the worker's memory:
with N workers behind one port a credential may send up to N times the rate (the kernel
spreads connections across them), which is still a bound on what one tenant can take.

Only authenticated credentials get a bucket, stored under a digest of the credential (never
the credential itself), and a bucket idle long enough to have filled up again is dropped:
memory is bounded by `max_credentials` and by how many keys were used recently.
"""

import hashlib
import math
import time
from collections.abc import Callable

from cachetools import TTLCache
from switchboard.resolvers.principal import Principal


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.3f} s")
        self.retry_after = retry_after

    @property
    def retry_after_header(self) -> str:
        """Whole seconds, as `Retry-After` takes them, never 0."""
        return str(max(1, math.ceil(self.retry_after)))


class RateLimiter:
    """`per_second` 0: no limit."""

    def __init__(
        self, per_second: float, burst: int, *, max_credentials: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self.burst = max(burst, 1)
        # A bucket untouched for this long is full: forgetting it changes nothing.
        refill_seconds = self.burst / per_second if per_second else 1.0
        self._buckets: TTLCache[bytes, tuple[float, float]] = TTLCache(max_credentials, ttl=refill_seconds, timer=clock)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, credential: str) -> None:
        """Take one request from the credential's bucket, or raise RateLimited with the seconds
        until the bucket holds one again."""
        if not self.per_second:
            return
        key, tokens, now = self._bucket(credential)
        if tokens < 1:
            raise RateLimited((1 - tokens) / self.per_second)
        self._buckets[key] = (tokens - 1, now)

    def charge(self, credential: str, requests: float) -> None:
        """Take `requests` more from the bucket for work already done (a document parsed and
        validated for the first time), into debt down to minus the burst: the credential's next
        requests wait until it is paid back."""
        if not self.per_second or requests <= 0:
            return
        key, tokens, now = self._bucket(credential)
        self._buckets[key] = (max(tokens - requests, -self.burst), now)

    def _bucket(self, credential: str) -> tuple[bytes, float, float]:
        key = hashlib.sha256(credential.encode("utf-8", "surrogatepass")).digest()
        now = self._buckets.timer()
        tokens, then = self._buckets.get(key, (self.burst, now))
        return key, min(self.burst, tokens + (now - then) * self.per_second), now


def bucket_of(principal: Principal) -> str:
    """The bucket a principal's requests draw from: one per API key, or one per token subject
    and organization, so that a caller's fresh tokens share it."""
    if principal.api_key_id is not None:
        return f"key:{principal.api_key_id}"
    return f"token:{principal.organization_id}:{principal.actor}"
