"""Provider-account rules (SPEC §14): how an account's listing is searched and ordered, and what
an import row that did not insert is."""

from dataclasses import dataclass
from enum import StrEnum

#: An import takes at most this many rows.
MAX_IMPORT_ROWS = 1000


class ImportStatus(StrEnum):
    CREATED = "CREATED"
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    INVALID = "INVALID"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a routing key an import row wanted: never shown, only classified."""

    organization_id: int
    config_id: int


def unimported_status(
    holder: Holder | None, *, organization_id: int, config_id: int, provider: str, verified: bool
) -> tuple[ImportStatus, str]:
    """What a row whose insert was skipped is: registered already by this organization under this
    configuration, or held elsewhere (CONFLICT; the message never names another organization, and
    tells a configuration whose credentials never verified how to hold the key: SPEC §14)."""
    if holder is None:
        # Deleted between the insert and the look-up: nothing holds it now, but nothing was made.
        return ImportStatus.CONFLICT, "The number was being changed by another request; import it again."
    if holder.organization_id != organization_id:
        message = f"The number is already registered for this {provider} account."
        if not verified:
            message += " If the account is yours, verify this configuration's credentials and import it again."
        return ImportStatus.CONFLICT, message
    if holder.config_id != config_id:
        return ImportStatus.CONFLICT, f"The number is registered under another configuration of this {provider} account."
    return ImportStatus.ALREADY_REGISTERED, "The number is registered under this configuration already."


def search_keys(search: str | None) -> tuple[str, str] | None:
    """What `search` matches: its text (lower case) and its digits; None for no search."""
    text = (search or "").strip().lower()
    if not text:
        return None
    return text, "".join(ch for ch in text if ch.isdigit())


def matches(address: str, keys: tuple[str, str] | None) -> bool:
    """Whether the listed address contains the search's text, or its digits contain the search's digits."""
    if keys is None:
        return True
    text, digits = keys
    if text in address.lower():
        return True
    return bool(digits) and digits in "".join(ch for ch in address if ch.isdigit())
