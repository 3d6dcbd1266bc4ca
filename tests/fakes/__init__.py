"""Fake provider servers; every FakeProvider subclass in this package is started by the tests."""

import importlib
import pkgutil

from .base import FakeProvider


def all_fakes() -> list[type[FakeProvider]]:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    found, pending = [], list(FakeProvider.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "key" in vars(cls):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.key)
