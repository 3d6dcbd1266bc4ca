"""Roles include the ones below them (SPEC §13)."""

import pytest
from switchboard.resolvers.rules.roles import Role, allows, forbidden_message, role_named


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.ADMIN, Role.ADMIN, True),
        (Role.ADMIN, Role.EDITOR, True),
        (Role.ADMIN, Role.VIEWER, True),
        (Role.EDITOR, Role.ADMIN, False),
        (Role.EDITOR, Role.EDITOR, True),
        (Role.EDITOR, Role.VIEWER, True),
        (Role.VIEWER, Role.ADMIN, False),
        (Role.VIEWER, Role.EDITOR, False),
        (Role.VIEWER, Role.VIEWER, True),
    ],
)
def test_a_role_allows_itself_and_the_roles_below(role, needed, allowed):
    assert allows(role, needed) is allowed


@pytest.mark.parametrize(
    ("value", "role"),
    [("ADMIN", Role.ADMIN), ("editor", Role.EDITOR), (" Viewer ", Role.VIEWER), ("OWNER", None), ("", None), (None, None), (2, None)],
)
def test_a_claim_names_a_role_or_none(value, role):
    assert role_named(value) is role


def test_the_refusal_names_both_roles():
    assert forbidden_message(Role.VIEWER, Role.EDITOR) == "This needs the EDITOR role; the caller's role is VIEWER."
