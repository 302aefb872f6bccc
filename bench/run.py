"""`make bench`: how long members wait, at 1,000 and at 10,000 members, and how much load it takes.

    python -m bench.run [--sizes 1000,10000] [--runs 30] [--seconds 15] [--users 8] [--reseed]

1. A town for each size (`manage.py seed_town`) in a database of its own, `carecoop_bench_<size>`,
   made once and kept: a later run reuses it (`--reseed` makes it again).
2. Whole requests to each page, as the member who uses it (bench/measure.py), at each size: median
   and 95th percentile, queries, and the growth from the smallest size to the largest.
3. At the largest size, gunicorn with 2 workers serves the production settings over the loopback;
   locust (headless) loads the five busiest pages one after another, then a bare Django view with
   one query, each for `--seconds` with `--users` at once; each page's requests a second are
   printed as a share of the bare view's. Then the peak memory of each web worker.
4. The figures go to docs/performance.json and into docs/performance.md between its markers, with
   the plans of the slowest queries at the largest size, and which targets are met.

Needs PostgreSQL and Redis (127.0.0.1); BENCH_PG sets another server (a libpq URL without the
database name).
"""

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PORT = 8131
BUSIEST = ["today: worker", "today: person", "a worker's week", "a person's month", "a ballot"]
LANDING = [name for name in BUSIEST if name.startswith("today")] + ["today: advocate", "today: investor"]

# The targets of issue 17, on this project's 2-core machine.
PAGE_TARGET_MS = 50
LANDING_TARGET_MS = 30
GROWTH_TARGET = 1.5
LOAD_TARGET_SHARE = 0.10
CSV_TARGET_MS = 1000
MEMORY_TARGET_MB = 250


def _say(text: str) -> None:
    print(text, flush=True)


def _env(size: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DATABASE_URL": f"{PG}/carecoop_bench_{size}",
        "PYTHONPATH": str(ROOT),
    }


def _psql(database: str, sql: str) -> str | None:
    done = subprocess.run(
        ["psql", f"{PG}/{database}", "-Atc", sql], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def town_ready(size: int, reseed: bool) -> None:
    database = f"carecoop_bench_{size}"
    members = _psql(database, "SELECT count(*) FROM members_membership")
    manage = [sys.executable, str(ROOT / "manage.py")]
    if members and not reseed and int(members) >= size * 0.9:
        _say(f"Town of {size:,}: reusing {database} ({int(members):,} members), migrated to this checkout.")
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=_env(size), check=True)
        return
    _say(f"Town of {size:,}: making {database} (seed_town).")
    _psql("postgres", f"DROP DATABASE IF EXISTS {database}")
    if _psql("postgres", f"CREATE DATABASE {database}") is None:
        raise SystemExit(f"Could not create {database} on {PG}.")
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=_env(size), check=True)
    subprocess.run([*manage, "seed_town", "--members", str(size)], env=_env(size), check=True)


def measure(size: int, runs: int) -> dict[str, Any]:
    _say(f"Town of {size:,}: timing whole requests ({runs} of each page).")
    done = subprocess.run(
        [sys.executable, "-m", "bench.measure", "--runs", str(runs)],
        env=_env(size),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"Measuring the town of {size:,} failed:\n{done.stderr}{done.stdout}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _get(path: str, timeout: float = 5.0) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=timeout) as response:
        return int(response.status)


def _workers(master: int) -> list[int]:
    """The gunicorn master's children: its web workers."""
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.MULTILINE):
            children.append(int(status.parent.name))
    return children


def _peak_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
    return round(int(found.group(1)) / 1024, 1) if found else 0.0


def _locust(path: str, cookie: str, seconds: int, users: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        prefix = f"{folder}/run"
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                prefix,
                "--loglevel",
                "ERROR",
            ],
            env={**os.environ, "BENCH_PATH": path, "BENCH_COOKIE": cookie},
            capture_output=True,
            check=False,
        )
        with open(f"{prefix}_stats.csv", newline="") as stats:
            total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    return {
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "median_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
    }


def load(size: int, measured: dict[str, Any], seconds: int, users: int) -> dict[str, Any]:
    _say(f"Town of {size:,}: gunicorn with 2 workers, locust with {users} users, {seconds} s a page.")
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "carecoop.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=_env(size),
        cwd=ROOT,
    )
    try:
        for _ in range(60):
            try:
                if _get("/bench/bare/") == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not answer within 30 s.")
        results: dict[str, Any] = {}
        targets = [(name, measured["pages"][name]) for name in BUSIEST]
        for name, page in [
            *targets,
            ("bare Django view, one query", {"path": "/bench/bare/", "persona": ""}),
        ]:
            cookie = measured["cookies"].get(page["persona"], "")
            results[name] = _locust(page["path"], cookie, seconds, users)
            _say(f"  {name}: {results[name]['requests_per_second']:,} requests a second")
        memory = {str(pid): _peak_mb(pid) for pid in _workers(gunicorn.pid)}
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    bare = results.pop("bare Django view, one query")
    for row in results.values():
        row["share_of_bare"] = round(row["requests_per_second"] / bare["requests_per_second"], 3)
    return {"users": users, "seconds": seconds, "bare": bare, "pages": results, "worker_peak_mb": memory}


def targets(
    small: dict[str, Any], large: dict[str, Any], loaded: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Each target of issue 17, with the figure measured and whether it is met."""
    rows = []
    for name, page in large["pages"].items():
        goal = LANDING_TARGET_MS if name in LANDING else PAGE_TARGET_MS
        if name == "the register as CSV":
            goal = CSV_TARGET_MS
        rows.append(
            {
                "target": f"{name}: median at most {goal} ms",
                "figure": page["median_ms"],
                "met": page["median_ms"] <= goal,
            }
        )
        if name == "the register as CSV":
            continue  # every member is a row: it grows with them by nature, and has its own target
        growth = page["median_ms"] / small["pages"][name]["median_ms"]
        rows.append(
            {
                "target": f"{name}: growth at most {GROWTH_TARGET}×",
                "figure": round(growth, 2),
                "met": growth <= GROWTH_TARGET,
            }
        )
    if loaded:
        for name, row in loaded["pages"].items():
            share = row["share_of_bare"]
            rows.append(
                {
                    "target": f"{name} under load: at least {LOAD_TARGET_SHARE:.0%} of the bare view",
                    "figure": share,
                    "met": share >= LOAD_TARGET_SHARE,
                }
            )
        peak = max(loaded["worker_peak_mb"].values(), default=0.0)
        rows.append(
            {
                "target": f"a web worker's peak memory under {MEMORY_TARGET_MB} MB",
                "figure": peak,
                "met": peak < MEMORY_TARGET_MB,
            }
        )
    return rows


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def report(
    sizes: list[int],
    measured: dict[int, dict[str, Any]],
    loaded: dict[str, Any] | None,
    checks: list[dict[str, Any]],
) -> str:
    small, large = measured[sizes[0]], measured[sizes[-1]]
    server = _psql("postgres", "SHOW server_version") or "?"
    lines = [
        START,
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"PostgreSQL {server}. Towns of {small['members']:,} members ({small['visits']:,} visits) and "
        f"{large['members']:,} members ({large['visits']:,} visits).",
        "",
        "### Whole requests, one at a time",
        "",
        f"| page | as | {sizes[0]:,}: median | p95 | queries "
        f"| {sizes[-1]:,}: median | p95 | queries | growth |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, page in large["pages"].items():
        before = small["pages"][name]
        lines.append(
            f"| {name} | {page['persona']} "
            f"| {before['median_ms']} ms | {before['p95_ms']} ms | {before['queries']} "
            f"| {page['median_ms']} ms | {page['p95_ms']} ms | {page['queries']} "
            f"| {page['median_ms'] / before['median_ms']:.2f}× |"
        )
    if loaded:
        bare = loaded["bare"]
        lines += [
            "",
            f"### Under load: gunicorn, 2 workers; locust, {loaded['users']} users at once, "
            f"{loaded['seconds']} s a page",
            "",
            "The bare Django view (one query, no template) served "
            f"{bare['requests_per_second']:,} requests a second "
            f"(median {bare['median_ms']} ms).",
            "",
            "| page | requests a second | share of the bare view | median | p95 | failures |",
            "|---|---|---|---|---|---|",
        ]
        for name, row in loaded["pages"].items():
            lines.append(
                f"| {name} | {row['requests_per_second']:,} | {row['share_of_bare']:.1%} "
                f"| {row['median_ms']} ms "
                f"| {row['p95_ms']} ms | {row['failures']} |"
            )
        peaks = ", ".join(f"{mb} MB" for mb in loaded["worker_peak_mb"].values())
        lines += ["", f"Peak memory of each web worker after the load: {peaks}."]
    lines += ["", "### Targets", "", "| target | measured | met |", "|---|---|---|"]
    for check in checks:
        lines.append(f"| {check['target']} | {check['figure']} | {'yes' if check['met'] else '**no**'} |")
    lines += ["", f"### The slowest queries at {large['members']:,} members", ""]
    for query in large["slowest_queries"]:
        sql = query["sql"] if len(query["sql"]) < 1500 else query["sql"][:1500] + " …"
        lines += [
            f"**{query['page']}**, median {query['median_ms']} ms:",
            "",
            "```sql",
            sql,
            "```",
            "",
            "```",
            query["plan"],
            "```",
            "",
        ]
    lines.append(END)
    return "\n".join(lines)


def write(report_text: str, figures: dict[str, Any], docs: Path) -> None:
    (docs / "performance.json").write_text(json.dumps(figures, indent=2) + "\n")
    page = docs / "performance.md"
    text = page.read_text() if page.exists() else f"# Performance\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    page.write_text(before + report_text + after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="members in each town, smallest first")
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each page")
    parser.add_argument("--seconds", type=int, default=15, help="load on each page")
    parser.add_argument("--users", type=int, default=8, help="locust users at once")
    parser.add_argument("--reseed", action="store_true", help="make the towns again")
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn and locust")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="where the figures are written")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    measured = {}
    for size in sizes:
        town_ready(size, args.reseed)
        measured[size] = measure(size, args.runs)
    loaded = None if args.no_load else load(sizes[-1], measured[sizes[-1]], args.seconds, args.users)
    checks = targets(measured[sizes[0]], measured[sizes[-1]], loaded)
    small, large = measured[sizes[0]], measured[sizes[-1]]
    _say("")
    for name, page in large["pages"].items():
        growth = page["median_ms"] / small["pages"][name]["median_ms"]
        _say(
            f"{name} at {large['members']:,} members: "
            f"median {page['median_ms']} ms, p95 {page['p95_ms']} ms, "
            f"{page['queries']} queries ({small['pages'][name]['queries']} at {small['members']:,}), "
            f"growth {growth:.2f}×"
        )
    if loaded:
        for name, row in loaded["pages"].items():
            _say(
                f"{name} under load: {row['requests_per_second']:,} requests a second, "
                f"{row['share_of_bare']:.1%} of the bare view"
            )
        _say(f"bare Django view under load: {loaded['bare']['requests_per_second']:,} requests a second")
        _say(f"web workers' peak memory: {', '.join(f'{mb} MB' for mb in loaded['worker_peak_mb'].values())}")
    met = sum(check["met"] for check in checks)
    _say(f"Targets met: {met} of {len(checks)}.")
    for check in checks:
        if not check["met"]:
            _say(f"  not met: {check['target']} (measured {check['figure']})")
    for figures in measured.values():
        figures.pop("cookies", None)
    write(
        report(sizes, measured, loaded, checks),
        {"sizes": {str(size): measured[size] for size in sizes}, "load": loaded, "targets": checks},
        args.docs,
    )
    _say(f"Written: {args.docs / 'performance.md'} and {args.docs / 'performance.json'}.")


if __name__ == "__main__":
    main()
