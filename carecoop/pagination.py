"""A paginator that counts in the page's own query.

Django's Paginator asks the database twice: `COUNT(*)` of the whole list, then the page. For a
list whose rows the database must all find and order anyway (a search sorted by distance), the
count is that work done twice. `CountedPaginator` reads the page with `COUNT(*) OVER ()`, the
number of rows in the whole list, beside each row: one query. A page past the end has no row to
carry the count; only then does it count on its own, as Django's does.
"""

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Model, QuerySet, Window

_TOTAL = "rows_in_the_whole_list"


class CountedPaginator(Paginator[Model]):
    """For a queryset, without orphans; pages, numbers and errors as Django's Paginator."""

    def __init__(self, object_list: QuerySet[Model], per_page: int) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list

    def get_page(self, number: Any) -> Page[Model]:
        """As Django's: a page not a number is the first, one past the end the last."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number: Any) -> Page[Model]:
        number = self._whole_number(number)
        bottom = (number - 1) * self.per_page
        counted = self.queryset.annotate(**{_TOTAL: Window(Count("*"))})
        rows = list(counted[bottom : bottom + self.per_page])
        if not rows:
            return super().page(number)  # past the end, or nothing at all: count, and say so
        self.__dict__["count"] = getattr(rows[0], _TOTAL)
        return Page(rows, number, self)

    def _whole_number(self, number: Any) -> int:
        """Django's checks of a page number, except the last page's (not known yet)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            whole = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if whole < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return whole
