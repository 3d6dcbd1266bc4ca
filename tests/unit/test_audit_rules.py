"""What an audit event records as changed (SPEC §13)."""

from switchboard.resolvers.rules.audit import SECRET_CHANGED, field_changes


def test_only_fields_that_differ_are_recorded_with_old_and_new():
    before = {"name": "Main", "label": None, "isActive": True}
    after = {"name": "Main line", "label": None, "isActive": False}
    assert field_changes(before, after) == {
        "isActive": {"old": True, "new": False},
        "name": {"old": "Main", "new": "Main line"},
    }


def test_a_secret_is_only_said_to_have_changed():
    changes = field_changes({"token": "old-secret", "sid": "AC1"}, {"token": "new-secret", "sid": "AC1"}, frozenset({"token"}))
    assert changes == {"token": SECRET_CHANGED}
    assert "secret" not in repr(changes)


def test_an_unchanged_secret_is_not_mentioned():
    assert field_changes({"token": "s"}, {"token": "s"}, frozenset({"token"})) == {}


def test_a_created_or_deleted_object_has_null_on_the_missing_side():
    assert field_changes({}, {"name": "New"}) == {"name": {"old": None, "new": "New"}}
    assert field_changes({"name": "Gone"}, {}) == {"name": {"old": "Gone", "new": None}}
    assert field_changes({}, {"token": "s"}, frozenset({"token"})) == {"token": SECRET_CHANGED}
