"""Query limits and caches, built once at import.

`QueryDepthLimiter(...)` and `MaxAliasesLimiter(...)` create a new rule class per construction,
which makes every request miss the validation cache; the rule classes are therefore created here,
once, and passed through a single AddValidationRules extension.
"""

from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000

DEPTH_RULE = depth_validator(MAX_DEPTH, None, None)
ALIAS_RULE = alias_validator(MAX_ALIASES)


def extensions() -> list:
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules([DEPTH_RULE, ALIAS_RULE]),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
