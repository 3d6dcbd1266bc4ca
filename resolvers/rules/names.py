"""Name rules shared by workflows and telephony configurations."""

from .text import contains_nul


class InvalidName(ValueError):
    pass


def clean_name(value: str, *, max_length: int) -> str:
    """Trimmed, 1..max_length characters."""
    name = value.strip()
    if contains_nul(name):
        raise InvalidName("Name must not contain NUL characters.")
    if not name:
        raise InvalidName("Name must not be blank.")
    if len(name) > max_length:
        raise InvalidName(f"Name must be at most {max_length} characters.")
    return name
