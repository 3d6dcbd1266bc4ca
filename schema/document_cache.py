"""Parsed and validated documents, cached by their text within a memory budget.

Strawberry's ParserCache and ValidationCache bound their entries by count (512 each here
before), whatever their size: a 2000-token document parses into about 1 MB of nodes, tokens
and locations, so a stream of distinct documents grew a worker by hundreds of megabytes. This cache
accounts each document's approximate size against a byte budget, evicting the least recently
used, and keeps only documents that passed validation: rejected ones (the bulk of any flood of
distinct documents) are parsed, refused and freed. A hit skips both parsing and validation.

One cache per schema (`build_schema` creates it), shared by every request of the process, so
the validation rules are the same for every document it holds.
"""

import sys
from collections.abc import Callable, Iterator

from cachetools import LRUCache
from graphql import DocumentNode
from strawberry.extensions import SchemaExtension
from switchboard.resolvers.context import RequestContext

from .limits import parse_document, validate_document

# About what one token of a parsed document holds: its node share, the token and its location
# (measured with tracemalloc on graphql-core 3.3: 420 to 610 bytes a token).
BYTES_PER_TOKEN = 600
DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024
# Larger documents are parsed for each request: one must not evict dozens of others.
MAX_CACHED_DOCUMENT_BYTES = 1024 * 1024


def approximate_size(query: str, document: DocumentNode) -> int:
    """Bytes the cache holds for a document: its text (the key), the text again for its strings
    and comments (their values are copies), and its tokens' share of the syntax tree."""
    return 2 * sys.getsizeof(query) + BYTES_PER_TOKEN * document.token_count


class DocumentCache:
    def __init__(self, max_bytes: int = DOCUMENT_CACHE_BYTES, max_entry_bytes: int = MAX_CACHED_DOCUMENT_BYTES) -> None:
        self.max_entry_bytes = max_entry_bytes
        self._documents: LRUCache[str, tuple[DocumentNode, int]] = LRUCache(max_bytes, getsizeof=lambda entry: entry[1])

    def __len__(self) -> int:
        return len(self._documents)

    @property
    def size(self) -> int:
        """The accounted bytes of the cached documents."""
        return int(self._documents.currsize)

    def get(self, query: str) -> DocumentNode | None:
        entry = self._documents.get(query)
        return entry[0] if entry is not None else None

    def put(self, query: str, document: DocumentNode) -> None:
        size = approximate_size(query, document)
        if size <= self.max_entry_bytes:
            self._documents[query] = (document, size)


def cached_documents(cache: DocumentCache) -> Callable[[], SchemaExtension]:
    """A schema extension (as a factory) that parses and validates through `cache`, within the
    length and field limits and with the expanded selections counted before the validation
    rules (see limits.parse_document and limits.validate_document)."""

    class CachedDocuments(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            context.graphql_document = cache.get(context.query)
            self.cached = context.graphql_document is not None
            if not self.cached:
                context.graphql_document = parse_document(context.query, context.parse_options)
            if isinstance(context.context, RequestContext):
                context.context.operation_name = context.operation_name
                if not self.cached:
                    context.context.unseen_document_tokens = context.graphql_document.token_count
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            if self.cached:
                context.pre_execution_errors = []
            else:
                context.pre_execution_errors = validate_document(
                    context.schema._schema, context.graphql_document, context.validation_rules
                )
                if not context.pre_execution_errors:
                    cache.put(context.query, context.graphql_document)
            yield

    return CachedDocuments
