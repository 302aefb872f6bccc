"""The co-op's numbers that staff keep: one row of each kind, its changes kept in its history."""

from typing import Self

from django.db import transaction
from solo.models import SingletonModel


class SingletonPolicy(SingletonModel):
    """One row (django-solo's singleton: pk 1, made on first use); `current()` is the row in force.

    Most pages read a policy, so it is kept in the cache (SOLO_CACHE), shared by every process,
    for at most SOLO_CACHE_TIMEOUT. It is kept only once the transaction that read or saved it
    has committed, and a save drops it at once: a row made or changed in a transaction that is
    rolled back never reaches the cache, and a process reads its own change straight away."""

    class Meta:
        abstract = True

    @classmethod
    def current(cls) -> Self:
        return cls.get_solo()

    def set_to_cache(self) -> None:
        self.clear_cache()
        transaction.on_commit(super().set_to_cache)
