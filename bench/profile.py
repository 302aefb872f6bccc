"""One page, profiled: where a request's time goes, by pyinstrument (a dev dependency only).

    DJANGO_SETTINGS_MODULE=bench.settings BENCH_DATABASE_URL=postgres://…/carecoop_bench_10000 \\
        python -m bench.profile "today: worker" [--runs 20]

The page names are bench/measure.py's. The requests are made as in the benchmark (test client,
the member who uses the page), after one warm-up; the profile covers all the runs."""

import argparse
import os

from django.test import Client
from pyinstrument import Profiler

from bench.measure import pages, request
from bench.town import log_in, town_read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    town = town_read()
    page = next((p for p in pages(town) if p.name == args.page), None)
    if page is None:
        raise SystemExit(f"No page called {args.page!r}: {', '.join(p.name for p in pages(town))}")
    client = Client()
    log_in(client, town.users[page.persona])
    request(client, page)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(args.runs):
            request(client, page)
    print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL"))))


if __name__ == "__main__":
    main()
