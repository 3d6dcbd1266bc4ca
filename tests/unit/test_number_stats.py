"""Adding up the grouped number facts into one NumberStats per configuration."""

from switchboard.db.loaders import NumberStats


def test_groups_add_up_per_configuration():
    groups = [
        # config, active, default, numbers, bound, highest id
        (1, True, False, 5, 2, 50),
        (1, False, False, 3, 1, 40),
        (1, True, True, 1, 0, 7),
        (2, False, True, 1, 1, 9),
        (2, True, False, 2, 0, 30),
        (3, False, False, 4, 0, 60),
    ]
    assert NumberStats.of_groups(groups) == {
        1: NumberStats(total=9, active=6, has_default=True, default_active=True, bound=3, default_id=7),
        2: NumberStats(total=3, active=2, has_default=True, default_active=False, bound=1, default_id=9),
        3: NumberStats(total=4, active=0, has_default=False, default_active=False, bound=0, default_id=None),
    }


def test_the_default_group_may_come_first():
    groups = [(1, False, True, 1, 0, 3), (1, False, False, 2, 0, 99)]
    assert NumberStats.of_groups(groups)[1].default_id == 3


def test_sqlite_integers_count_as_booleans():
    (stats,) = NumberStats.of_groups([(4, 1, 1, 1, 1, 12), (4, 0, 0, 2, 0, 20)]).values()
    assert stats == NumberStats(total=3, active=1, has_default=True, default_active=True, bound=1, default_id=12)
