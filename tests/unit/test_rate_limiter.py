"""server/rate_limit.py: a token bucket per credential, on a clock the test moves."""

import pytest
from switchboard.resolvers.principal import Principal
from switchboard.resolvers.rules.roles import Role
from switchboard.server.rate_limit import RateLimited, RateLimiter, bucket_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate_and_each_credential_has_its_own_bucket():
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("key-a")
    with pytest.raises(RateLimited) as refused:
        limiter.take("key-a")
    assert refused.value.retry_after == pytest.approx(0.5)
    assert refused.value.retry_after_header == "1"
    limiter.take("key-b")
    clock.now += 0.5
    limiter.take("key-a")  # one token back after half a second at 2 a second
    with pytest.raises(RateLimited):
        limiter.take("key-a")


def test_refused_requests_take_nothing_and_a_bucket_refills_no_further_than_the_burst():
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=2, clock=clock)
    limiter.take("key")
    limiter.take("key")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.take("key")
    clock.now += 1
    limiter.take("key")
    clock.now += 3600
    limiter.take("key")
    limiter.take("key")
    with pytest.raises(RateLimited):
        limiter.take("key")


def test_idle_buckets_are_forgotten_once_they_would_be_full_and_at_most_max_credentials_are_kept():
    clock = Clock()
    limiter = RateLimiter(per_second=10, burst=20, max_credentials=100, clock=clock)
    for n in range(150):
        limiter.take(f"key-{n}")
    assert len(limiter) == 100
    clock.now += 2  # 20 tokens at 10 a second: full again
    limiter.take("key-new")
    assert len(limiter) == 1


def test_zero_rate_is_no_limit():
    limiter = RateLimiter(per_second=0, burst=1)
    for _ in range(1000):
        limiter.take("key")
    assert len(limiter) == 0


def test_a_charge_puts_the_bucket_into_debt_that_the_rate_pays_back():
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=4, clock=clock)
    limiter.take("key")
    limiter.charge("key", 5)  # 4 - 1 - 5 = -2
    with pytest.raises(RateLimited) as refused:
        limiter.take("key")
    assert refused.value.retry_after == pytest.approx(3)
    clock.now += 3
    limiter.take("key")


def test_a_charge_never_goes_below_minus_the_burst():
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=2, clock=clock)
    limiter.charge("key", 1000)
    with pytest.raises(RateLimited) as refused:
        limiter.take("key")
    assert refused.value.retry_after == pytest.approx(3)


def test_charges_are_free_without_a_limit():
    limiter = RateLimiter(per_second=0, burst=1)
    limiter.charge("key", 1000)
    limiter.take("key")
    assert len(limiter) == 0


def test_a_refusal_says_how_long_to_wait():
    assert str(RateLimited(0.25)) == "rate limited for 0.250 s"


@pytest.mark.parametrize(("burst", "allowed_at_once"), [(-3, 1), (0, 1), (1, 1), (3, 3)])
def test_a_burst_below_one_still_lets_one_request_through(burst, allowed_at_once):
    limiter = RateLimiter(per_second=1, burst=burst, clock=Clock())
    for _ in range(allowed_at_once):
        limiter.take("key")
    with pytest.raises(RateLimited):
        limiter.take("key")


def test_a_bucket_that_has_not_refilled_yet_is_remembered():
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=2, clock=clock)
    limiter.take("key")
    limiter.take("key")
    clock.now += 1.5  # 1.5 of the 2 tokens back: forgetting the bucket would give 2
    limiter.take("key")
    with pytest.raises(RateLimited) as refused:
        limiter.take("key")
    assert refused.value.retry_after == pytest.approx(0.5)


def test_at_most_10_000_credentials_are_kept_by_default():
    limiter = RateLimiter(per_second=1, burst=1, clock=Clock())
    for n in range(10_001):
        limiter.take(f"key-{n}")
    assert len(limiter) == 10_000


def test_a_credential_with_a_lone_surrogate_gets_its_own_bucket():
    """A token's subject comes from JSON, where "\\ud800" decodes to a lone surrogate."""
    limiter = RateLimiter(per_second=1, burst=1, clock=Clock())
    limiter.take("subject-\ud800")
    limiter.take("subject-\udfff")
    with pytest.raises(RateLimited):
        limiter.take("subject-\ud800")


@pytest.mark.parametrize("requests", [0.5, 1])
def test_a_charge_of_one_request_or_less_is_taken(requests):
    limiter = RateLimiter(per_second=1, burst=2, clock=Clock())
    limiter.take("key")
    limiter.charge("key", requests)  # 1 - requests tokens left: not enough for a request
    with pytest.raises(RateLimited) as refused:
        limiter.take("key")
    assert refused.value.retry_after == pytest.approx(requests)


def test_a_charge_of_nothing_keeps_no_bucket():
    limiter = RateLimiter(per_second=1, burst=2, clock=Clock())
    limiter.charge("key", 0)
    assert len(limiter) == 0


def test_each_api_key_and_each_token_subject_of_an_organization_has_its_own_bucket():
    key_5 = Principal(organization_id=1, role=Role.EDITOR, actor="sb_abc", api_key_id=5)
    same_key_as_viewer = Principal(organization_id=1, role=Role.VIEWER, actor="sb_abc", api_key_id=5)
    subject_5 = Principal(organization_id=1, role=Role.EDITOR, actor="5")
    subject_5_elsewhere = Principal(organization_id=2, role=Role.EDITOR, actor="5")
    fresh_token_of_subject_5 = Principal(organization_id=1, role=Role.ADMIN, actor="5")
    assert bucket_of(key_5) == bucket_of(same_key_as_viewer) == "key:5"
    assert bucket_of(subject_5) == bucket_of(fresh_token_of_subject_5) == "token:1:5"
    assert bucket_of(subject_5_elsewhere) == "token:2:5"
