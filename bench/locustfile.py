"""One page under load: BENCH_PATH, requested with the BENCH_COOKIE session, by every user at once
with no pause between requests."""

import os

from locust import FastHttpUser, constant, task

PATH = os.environ["BENCH_PATH"]
HEADERS = {"Cookie": os.environ["BENCH_COOKIE"]} if os.environ.get("BENCH_COOKIE") else {}


class Member(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self) -> None:
        with self.client.get(PATH, headers=HEADERS, name=PATH, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
