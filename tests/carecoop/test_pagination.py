import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from carecoop.pagination import CountedPaginator
from members.models import Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills():
    Skill.objects.all().delete()
    Skill.objects.bulk_create(Skill(name=f"Skill {n:02}") for n in range(23))
    return Skill.objects.order_by("name")


def test_a_page_and_the_count_come_from_one_query(skills, django_assert_num_queries):
    paginator = CountedPaginator(skills, 10)

    with django_assert_num_queries(1):
        page = paginator.get_page("2")
        names = [skill.name for skill in page]
        count, pages = paginator.count, paginator.num_pages

    assert names == [f"Skill {n:02}" for n in range(10, 20)]
    assert (count, pages) == (23, 3)
    assert page.has_next()
    assert page.has_previous()


@pytest.mark.parametrize("asked", ["1", "3", "4", "99", "x", "2.5", None, "-1", "0"])
def test_every_page_asked_for_is_the_page_django_would_give(skills, asked):
    counted = CountedPaginator(skills, 10).get_page(asked)
    django = Paginator(skills, 10).get_page(asked)

    assert counted.number == django.number
    assert list(counted) == list(django)
    assert counted.paginator.count == django.paginator.count == 23


def test_an_empty_list_has_one_empty_page(skills):
    page = CountedPaginator(skills.filter(name="nobody"), 10).get_page("1")

    assert list(page) == []
    assert page.number == 1
    assert page.paginator.count == 0


def test_bad_page_numbers_raise_as_djangos_do(skills):
    paginator = CountedPaginator(skills, 10)

    with pytest.raises(PageNotAnInteger):
        paginator.page("x")
    with pytest.raises(EmptyPage):
        paginator.page(0)
    with pytest.raises(EmptyPage):
        paginator.page(4)
