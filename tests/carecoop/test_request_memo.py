"""Answers kept for one request: asked once inside it, every time outside it."""

import pytest
from django.db import transaction

from carecoop import request_memo


def _counter():
    calls = []

    def answer():
        calls.append(1)
        return len(calls)

    return answer, calls


def test_outside_a_request_every_question_is_answered_afresh():
    answer, calls = _counter()

    assert [request_memo.remember("key", answer) for _ in range(3)] == [1, 2, 3]
    assert len(calls) == 3


def test_inside_a_request_the_first_answer_is_kept_until_forgotten():
    answer, calls = _counter()

    with request_memo.request_scope():
        assert [request_memo.remember("key", answer) for _ in range(3)] == [1, 1, 1]
        request_memo.forget()
        assert request_memo.remember("key", answer) == 2
    assert len(calls) == 2


def test_each_request_starts_with_nothing_kept_and_keeps_nothing_after():
    answer, _calls = _counter()

    with request_memo.request_scope():
        assert request_memo.remember("key", answer) == 1
    with request_memo.request_scope():
        assert request_memo.remember("key", answer) == 2
    assert request_memo.remember("key", answer) == 3


def test_the_middleware_opens_a_memo_for_the_view_only(rf):
    answer, _calls = _counter()

    def view(request):
        return [request_memo.remember("key", answer) for _ in range(2)]

    assert request_memo.RequestMemoMiddleware(view)(rf.get("/")) == [1, 1]
    assert request_memo.RequestMemoMiddleware(view)(rf.get("/")) == [2, 2]


@pytest.mark.django_db
def test_an_answer_read_inside_a_transaction_the_request_opened_is_not_kept():
    answer, _calls = _counter()

    with request_memo.request_scope():
        with transaction.atomic():
            assert [request_memo.remember("key", answer) for _ in range(2)] == [1, 2]
        assert [request_memo.remember("key", answer) for _ in range(2)] == [3, 3]
