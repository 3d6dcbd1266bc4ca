"""schema/document_cache.py: parsed documents by their text, evicted least recently used once
their approximate size passes the budget; a document over the per-entry size is not kept."""

import sys

from graphql import parse
from switchboard.schema.document_cache import BYTES_PER_TOKEN, DocumentCache, approximate_size


def test_size_counts_the_text_twice_and_each_token():
    query = "{ a }"  # three tokens
    assert approximate_size(query, parse(query)) == 2 * sys.getsizeof(query) + 3 * BYTES_PER_TOKEN


def test_least_recently_used_documents_go_once_the_budget_is_spent():
    queries = [f"{{ f{n} }}" for n in range(4)]
    each = approximate_size(queries[0], parse(queries[0]))
    cache = DocumentCache(max_bytes=3 * each)
    for query in queries[:3]:
        cache.put(query, parse(query))
    assert cache.get(queries[0]) is not None  # now the most recently used
    cache.put(queries[3], parse(queries[3]))
    assert cache.get(queries[1]) is None
    assert all(cache.get(query) is not None for query in (queries[0], queries[2], queries[3]))
    assert cache.size == 3 * each


def test_a_document_over_the_entry_limit_is_not_kept():
    small, large = "{ a }", "{ " + "a " * 100 + "}"
    cache = DocumentCache(max_bytes=10**6, max_entry_bytes=approximate_size(small, parse(small)))
    cache.put(large, parse(large))
    cache.put(small, parse(small))
    assert cache.get(large) is None and cache.get(small) is not None
    assert len(cache) == 1
