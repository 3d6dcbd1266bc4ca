"""A marker for update inputs: the field was omitted, keep the stored value (None means clear)."""

from typing import Final


class _Unchanged:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()
