"""Query limits, built once at import.

`QueryDepthLimiter(...)` and `MaxAliasesLimiter(...)` create a new rule class per construction,
which makes every request miss the validation cache; the rule classes are therefore created here,
once, and passed through a single AddValidationRules extension.

The length limit comes before parsing: graphql-core's lexer reads about 3 characters a
microsecond, so a 900 KB string or comment (within the 1 MiB body and the 2000 tokens) took a
quarter of a second to parse.

The field limits are not validation rules: graphql-core runs every rule in one pass over the
document, so a rule cannot stop the others. OverlappingFieldsCanBeMerged compares every
pair of fields sharing a response name (494 copies of `organization { name }` fit in 2000
tokens and took about a second to validate): the parser stops at the field that passes
MAX_FIELDS (the 494 copies took 13 ms to parse whole). Fragments multiply what the rules that
walk into them (the depth and alias limits) do, without more text: a fragment
that spreads the next one twice, forty deep, ran for minutes; `validate_document` counts the
selections with every fragment spread expanded, in one linear walk, before any rule runs.
"""

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    SelectionSetNode,
    Source,
)
from graphql.language.parser import Parser
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.schema import validate_document as validate_with_rules

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# Characters of a document: half again the longest 2000-token document of ordinary names (a
# selection set of 1,994 `__typename`s is 22 KB). Large values belong in variables, which JSON
# carries at a fraction of the cost.
MAX_DOCUMENT_LENGTH = 32 * 1024
# Fields written in a document. The largest operation in the repository (its tests, the bench,
# the README and the Apollo client's operations) is the dashboard's 44, and the introspection
# query of GraphiQL and the code generators has 72. The most expensive document to validate at
# 100 takes about 15 ms; at 200 it took 45 ms, and a stream of distinct ones made the collector
# pause for 300 ms at a time (at 500: 300 ms each).
MAX_FIELDS = 100
# Field selections of a document with every fragment spread expanded: the introspection query
# has 469; the rules take about 2 µs per selection.
MAX_SELECTIONS = 1000

DEPTH_RULE = depth_validator(MAX_DEPTH, None, None)
ALIAS_RULE = alias_validator(MAX_ALIASES)


def extensions() -> list:
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules([DEPTH_RULE, ALIAS_RULE]),
    ]


class FieldLimitedParser(Parser):
    """graphql-core's parser, stopping at the field that passes MAX_FIELDS."""

    def __init__(self, *args, **options) -> None:
        super().__init__(*args, **options)
        self._fields_left = MAX_FIELDS

    def parse_field(self) -> FieldNode:
        self._fields_left -= 1
        if self._fields_left < 0:
            raise GraphQLError(f"The document has more than {MAX_FIELDS} fields; split it into smaller operations.")
        return super().parse_field()


def parse_document(query: str, parse_options) -> DocumentNode:
    """The document, parsed within the length, token (among the options, see MaxTokensLimiter)
    and field limits."""
    if len(query) > MAX_DOCUMENT_LENGTH:
        # Not graphql-core's max_source_length: it looks for the line of the limit in the whole
        # text, 17 ms for 900 KB without a line break.
        raise GraphQLSyntaxError(
            Source(query[:MAX_DOCUMENT_LENGTH]),
            MAX_DOCUMENT_LENGTH,
            f"Document contains more than {MAX_DOCUMENT_LENGTH} characters. Parsing aborted.",
        )
    parser = FieldLimitedParser(query, **parse_options)
    try:
        return parser.parse_document()
    except RecursionError:
        pass  # raised below, so that the error does not keep the frames of the recursion alive
    raise GraphQLSyntaxError(Source(query), 0, "Document is nested too deeply.")


def validate_document(schema, document: DocumentNode, rules: tuple) -> list[GraphQLError]:
    """Strawberry's validation of the document, once its selections are within the limit."""
    if selection_count(document, MAX_SELECTIONS) > MAX_SELECTIONS:
        message = f"The document selects more than {MAX_SELECTIONS} fields once its fragments are expanded; split it into smaller operations."
        return [GraphQLError(message)]
    return validate_with_rules(schema, document, rules)


def selection_count(document: DocumentNode, limit: int) -> int:
    """The field selections of every operation and fragment definition of the document, each
    fragment spread counted as the selections it brings in, or a number over `limit` as soon
    as the count passes it.

    Each fragment is counted once (a fragment spread twice by each of twenty fragments would
    otherwise take 2**20 steps); a spread of an unknown fragment, or of one inside its own
    expansion, counts nothing (validation refuses both)."""
    fragments = {
        definition.name.value: definition.selection_set
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    counted: dict[str, int] = {}
    expanding: set[str] = set()

    def fragment_count(name: str, budget: int) -> int:
        if name in counted:
            return counted[name]
        if name in expanding or name not in fragments:
            return 0
        expanding.add(name)
        count = counted[name] = selections_of(fragments[name], budget)
        expanding.discard(name)
        return count

    def selections_of(selection_set: SelectionSetNode, budget: int) -> int:
        """Iterative across nested fields, recursive across fragments."""
        count = 0
        pending = [selection_set]
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FragmentSpreadNode):
                    count += fragment_count(selection.name.value, budget - count)
                else:
                    count += isinstance(selection, FieldNode)
                    if selection.selection_set is not None:
                        pending.append(selection.selection_set)
                if count > budget:
                    return count
        return count

    total = 0
    for definition in document.definitions:
        selection_set = getattr(definition, "selection_set", None)
        if selection_set is not None:
            total += selections_of(selection_set, limit - total)
            if total > limit:
                break
    return total
