"""Reading the numbers a provider account holds (SPEC §14), bounded whatever the provider does.

Each plugin spells its list call as an async generator of pages (the addresses each page lists,
as the provider writes them); `collect` reads them within the operation's time budget and stops
at MAX_ACCOUNT_NUMBERS, at an empty page, and at a page that lists nothing new (a next link
that points back at a page already read, or a provider that ignores its paging parameter). A
failure on the first page is the listing's failure (bad credentials, say); a failure on a later
one (a timeout, 429s beyond the retries) ends the listing with what was read and says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import aclosing
from typing import Any
from urllib.parse import urlsplit

from .base import MAX_ACCOUNT_NUMBERS, AccountNumbers
from .errors import ProviderError
from .http import ProviderHttp

Pages = AsyncIterator[list[str]]


def listed(values: Iterable[Any]) -> list[str]:
    """The non-blank strings of `values`, stripped: what a page lists (anything else is skipped)."""
    return [value.strip() for value in values if isinstance(value, str) and value.strip()]


def same_host(next_link: str) -> str:
    """The path and query of a provider's next-page link, to be sent to the host already in use:
    credentials never follow a link to another host."""
    parts = urlsplit(next_link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _numbers(count: int) -> str:
    return f"{count:,} number{'' if count == 1 else 's'}"


async def collect(http: ProviderHttp, provider: str, pages: Pages) -> AccountNumbers:
    """Every address the pages list, each once, in the provider's order."""
    found: dict[str, None] = {}
    read = 0
    with http.budget():
        async with aclosing(pages):
            try:
                async for page in pages:
                    read += 1
                    if not page:
                        break
                    new = [address for address in page if address not in found]
                    if not new:
                        return AccountNumbers(
                            tuple(found),
                            complete=False,
                            note=f"{provider} answered page {read} with numbers it had listed already, so the listing "
                            f"stopped there after {_numbers(len(found))}.",
                        )
                    found.update(dict.fromkeys(new))
                    if len(found) > MAX_ACCOUNT_NUMBERS:
                        return AccountNumbers(
                            tuple(found)[:MAX_ACCOUNT_NUMBERS],
                            complete=False,
                            note=f"The account holds more than {_numbers(MAX_ACCOUNT_NUMBERS)}; "
                            f"only the first {MAX_ACCOUNT_NUMBERS:,} are listed.",
                        )
            except ProviderError as exc:
                if read == 0:
                    raise
                return AccountNumbers(
                    tuple(found),
                    complete=False,
                    note=f"The listing stopped after {_numbers(len(found))} ({read} page{'' if read == 1 else 's'}): "
                    f"{exc.message}",
                )
    return AccountNumbers(tuple(found))
