"""The co-op's numbers that staff keep: one row of each kind, its changes kept in its history."""

from typing import Self

from solo.models import SingletonModel


class SingletonPolicy(SingletonModel):
    """One row (django-solo's singleton: pk 1, made on first use); `current()` is the row in force."""

    class Meta:
        abstract = True

    @classmethod
    def current(cls) -> Self:
        return cls.get_solo()
