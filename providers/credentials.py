"""Validation, merging and masking of provider credentials.

Pure functions on plain dicts of plaintext strings, driven by a plugin's declared fields.
Encryption at rest happens elsewhere. Messages never contain a value, so they are safe to
return to clients and to log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .base import CredentialField, ProviderPlugin

MASK = "****"
_MASK_REVEAL_MIN_LENGTH = 12
_MASK_REVEAL_CHARS = 4


_PEM_ARMOR = re.compile(r"^-----(BEGIN|END) [^-]*-----$")


def mask_secret(value: str) -> str:
    """``****`` plus the last 4 characters of the value's last line of content when the value has
    12 characters or more, else ``****``.

    A line of content is any line but a PEM armor line (``-----BEGIN ...-----``): for a private
    key, the armor's dashes would be all the mask showed. The mask never reveals the length of
    the value.
    """
    content = [line.strip() for line in value.splitlines() if line.strip() and not _PEM_ARMOR.match(line.strip())]
    visible = content[-1] if content else ""
    if len(value) >= _MASK_REVEAL_MIN_LENGTH and len(visible) >= _MASK_REVEAL_CHARS:
        return MASK + visible[-_MASK_REVEAL_CHARS:]
    return MASK


@dataclass(frozen=True)
class FieldProblem:
    """A user-facing problem with one credential field (``field`` is the field name)."""

    field: str
    message: str


def _check_value(field: CredentialField, value: str) -> FieldProblem | None:
    if "\x00" in value:  # PostgreSQL's text refuses NUL; refused on both databases
        return FieldProblem(field.name, f"{field.label} must not contain NUL characters.")
    if field.options and value not in field.option_values:
        allowed = ", ".join(field.option_values)
        return FieldProblem(field.name, f"{field.label} must be one of: {allowed}.")
    if field.pattern is not None and re.fullmatch(field.pattern, value) is None:
        hint = field.pattern_hint or "has an invalid format"
        return FieldProblem(field.name, f"{field.label} {hint}.")
    return None


def _unknown_problems(plugin: ProviderPlugin, given: Mapping[str, object]) -> list[FieldProblem]:
    declared = {f.name for f in plugin.fields}
    return [
        FieldProblem(name, f"{name} is not a {plugin.display_name} credential field.") for name in given if name not in declared
    ]


def validate_new(plugin: ProviderPlugin, given: Mapping[str, str | None]) -> tuple[dict[str, str], list[FieldProblem]]:
    """Validate a complete set of credentials (create, or the result of a merge).

    Values are stripped. An absent, None or blank optional field gets its default if it has
    one and is omitted otherwise; a required one is a problem. Every value must match its
    pattern (and be one of its options, when there are options). Unknown keys are problems.
    Returns the cleaned credentials and the problems (empty when valid).
    """
    problems = _unknown_problems(plugin, given)
    clean: dict[str, str] = {}
    for field in plugin.fields:
        raw = given.get(field.name)
        if raw is not None and not isinstance(raw, str):
            problems.append(FieldProblem(field.name, f"{field.label} must be a string."))
            continue
        value = (raw or "").strip()
        if not value:
            if field.required:
                problems.append(FieldProblem(field.name, f"{field.label} is required."))
                continue
            if field.default is None:
                continue
            value = field.default
        problem = _check_value(field, value)
        if problem is not None:
            problems.append(problem)
        clean[field.name] = value
    return clean, problems


def merge_update(
    plugin: ProviderPlugin, stored: Mapping[str, str], given: Mapping[str, str | None]
) -> tuple[dict[str, str], list[FieldProblem]]:
    """Apply an update to stored credentials, then validate the result like ``validate_new``.

    An omitted or None field keeps its stored value. For a secret field, the masked form of
    the stored value (or the bare ``****``) also keeps it; any other value that starts with
    ``****`` is refused rather than stored, since it can only be a stale mask. A given value
    replaces the stored one; ``""`` removes an optional field (and is a problem on a required
    one). Stored keys that the plugin no longer declares are dropped.
    """
    problems = _unknown_problems(plugin, given)
    merged: dict[str, str | None] = {f.name: stored[f.name] for f in plugin.fields if f.name in stored}
    for field in plugin.fields:
        raw = given.get(field.name)
        if raw is None:
            continue
        if not isinstance(raw, str):
            merged[field.name] = raw  # reported by validate_new
            continue
        value = raw.strip()
        if field.secret and value.startswith(MASK):
            current = stored.get(field.name)
            if value == MASK or (current is not None and value == mask_secret(current)):
                continue
            problems.append(
                FieldProblem(
                    field.name,
                    f"{field.label} looks like a masked value that does not match the stored "
                    "one; enter the full value, or leave the field out to keep it.",
                )
            )
            continue
        if value:
            merged[field.name] = value
        else:  # validate_new reports it when the field is required
            merged.pop(field.name, None)
    clean, more = validate_new(plugin, merged)
    reported = {p.field for p in problems}
    problems.extend(p for p in more if p.field not in reported)
    return clean, problems


def public_credentials(plugin: ProviderPlugin, stored: Mapping[str, str]) -> dict[str, str]:
    """Stored credentials as the API shows them: declared fields only, secrets masked."""
    return {f.name: mask_secret(stored[f.name]) if f.secret else stored[f.name] for f in plugin.fields if f.name in stored}
