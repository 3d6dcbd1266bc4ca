"""Outbound readiness and call capacity of a telephony configuration (SPEC §3)."""

REJECTED = "REJECTED"


def concurrency_capacity(*, needs_caller_ids: bool, active_numbers: int, max_concurrent_calls: int | None) -> int:
    """Active numbers capped by maxConcurrentCalls; providers without caller IDs are bounded by the cap alone."""
    if max_concurrent_calls is None:
        return active_numbers
    if needs_caller_ids:
        return min(active_numbers, max_concurrent_calls)
    return max_concurrent_calls


def outbound_blocked_reason(
    *, provider_name: str, needs_caller_ids: bool, active_numbers: int, verification_status: str | None
) -> str | None:
    """One sentence saying why outbound calls cannot be placed, or None when they can."""
    if verification_status == REJECTED:
        return f"{provider_name} rejected the credentials at the last check; update them and verify again."
    if needs_caller_ids and active_numbers == 0:
        return f"{provider_name} needs an active phone number to call from; add one or activate one."
    return None
