"""The three ways the app runs: on a laptop with no servers, under test, and in production."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "carecoop.settings.production",
    "DJANGO_SECRET_KEY": "x7Hq2!pR9vLm4@sK8wZt3#bN6yGf1&cJ5dUe0*aQi-Vo_Xr^Ws+Tl%Mh=Yk~Pz",
    "DJANGO_ALLOWED_HOSTS": "caldervalley.care.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/carecoop",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "CACHE_URL": "redis://127.0.0.1:6379/14",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "Calder Valley Care Co-op <hello@caldervalley.care.example>",
    "SITE_URL": "https://caldervalley.care.example",
}


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh shell: none of the settings the test run itself was given."""
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _clean_env(**PRODUCTION_ENV))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


PRINT_SHARED_STATE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({"cache": settings.CACHES["default"], "sessions": settings.SESSION_ENGINE}))
"""


def test_production_keeps_the_cache_in_redis_and_sessions_in_the_database():
    result = _run(["-c", PRINT_SHARED_STATE], _clean_env(**PRODUCTION_ENV))

    assert result.returncode == 0, result.stderr
    shared = json.loads(result.stdout)
    assert shared["cache"]["BACKEND"] == "carecoop.cache.OutageTolerantRedisCache"
    assert shared["cache"]["LOCATION"] == PRODUCTION_ENV["CACHE_URL"]
    # A Redis that stops answering (a lost network) is given up on, not waited for for ever.
    assert shared["cache"]["OPTIONS"]["socket_timeout"] > 0
    assert shared["cache"]["OPTIONS"]["socket_connect_timeout"] > 0
    assert shared["sessions"] == "django.contrib.sessions.backends.db"


PRINT_REPORTING = """
import json
import django
django.setup()
import sentry_sdk
from django.conf import settings
client = sentry_sdk.get_client()
print(json.dumps({
    "admins": settings.ADMINS,
    "sentry": client.is_active(),
    "environment": client.options["environment"],
}))
"""


def test_production_reports_errors_to_the_admins_and_sentry_named_in_the_environment():
    env = _clean_env(
        **PRODUCTION_ENV,
        DJANGO_ADMINS="Ann Lee <ann@caldervalley.care.example>,ops@caldervalley.care.example",
        SENTRY_DSN="https://public@sentry.example/1",
        SENTRY_ENVIRONMENT="staging",
    )

    result = _run(["-c", PRINT_REPORTING], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "admins": [["Ann Lee", "ann@caldervalley.care.example"], ["", "ops@caldervalley.care.example"]],
        "sentry": True,
        "environment": "staging",
    }


def test_production_without_a_dsn_sends_nothing_to_sentry():
    result = _run(["-c", PRINT_REPORTING], _clean_env(**PRODUCTION_ENV))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sentry"] is False
    assert json.loads(result.stdout)["admins"] == []


@pytest.mark.parametrize(
    "required", ["DJANGO_SECRET_KEY", "EMAIL_URL", "DEFAULT_FROM_EMAIL", "CACHE_URL", "SITE_URL"]
)
def test_production_refuses_to_start_without_its_required_settings(required):
    env = _clean_env(**PRODUCTION_ENV)
    del env[required]

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert required in result.stderr


def test_production_refuses_demo_data():
    result = _run(["manage.py", "seed_demo"], _clean_env(**PRODUCTION_ENV))

    assert result.returncode != 0
    assert "Demo data" in result.stderr


PRINT_LOCAL_SETUP = """
import json
import django
django.setup()
from django.conf import settings
from django.db import connection
print(json.dumps({
    "database": connection.vendor,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
}))
"""


def test_local_settings_need_no_servers(tmp_path):
    env = _clean_env(DJANGO_SETTINGS_MODULE="carecoop.settings.local", CARECOOP_VAR_DIR=str(tmp_path))

    result = _run(["-c", PRINT_LOCAL_SETUP], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "database": "sqlite",
        "broker": "filesystem://localhost/",
        "email": "carecoop.mailfolder.FolderEmailBackend",
        "debug": True,
    }


ROUND_TRIP_THROUGH_EMBEDDED_BROKER = """
import django
django.setup()
from carecoop.celery import app
with app.connection_for_write() as connection:
    queue = connection.SimpleQueue("probe")
    queue.put({"visit": 42})
    message = queue.get(timeout=5)
    message.ack()
    print(message.payload["visit"])
"""


def test_embedded_broker_carries_messages_without_a_server(tmp_path):
    env = _clean_env(DJANGO_SETTINGS_MODULE="carecoop.settings.local", CARECOOP_VAR_DIR=str(tmp_path))

    result = _run(["-c", ROUND_TRIP_THROUGH_EMBEDDED_BROKER], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"
    assert (tmp_path / "celery" / "queue").is_dir()


def test_database_schema_matches_the_models(db):
    # A model change without its migration would pass every test and fail in production.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


EMBEDDED_DEMO = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
call_command("seed_demo", verbosity=0)
pages = {
    "secretary": ["/", "/accounts/", "/staff/applications/", "/staff/register/", "/staff/hours/",
                  "/staff/register/?format=csv", "/staff/vetting/", "/staff/members/1/", "/staff/documents/",
                  "/staff/dividends/", "/staff/dividends/years/1/", "/staff/dividends/allocations/1/",
                  "/staff/dividends/allocations/1/payments.csv"],
    "ruth": ["/today/", "/accounts/", "/profile/", "/members/1/circle/", "/suggestions/",
             "/find/?skills=3&day=1&part=morning", "/introductions/", "/teams/1/",
             "/visits/", "/visits/?view=week", "/visits/?view=month", "/visits/new/", "/visits/1/",
             "/care-log/1/", "/notifications/", "/calendar-feed/"],
    "tom": ["/today/", "/accounts/", "/profile/", "/people/", "/teams/", "/peer-support/", "/introductions/"],
    "megan": ["/today/", "/visits/", "/visits/1/", "/visits/?view=month", "/dividends/"],
    "jane": ["/today/", "/accounts/", "/members/1/"],
}
from io import StringIO
for who, urls in pages.items():
    client = Client(HTTP_HOST="localhost")
    credentials = {"login": f"{who}@demo.carecoop.example", "password": "calder-demo-2026"}
    login = client.post("/accounts/login/", credentials)
    if who == "secretary":  # then the code from the demo's authenticator app, as printed
        assert login["Location"] == "/accounts/2fa/authenticate/", login
        printed = StringIO()
        call_command("demo_code", stdout=printed)
        login = client.post("/accounts/2fa/authenticate/", {"code": printed.getvalue().split()[0]})
    assert login.status_code == 302 and "/accounts/login/" not in login["Location"], (who, login)
    for url in urls:
        status = client.get(url).status_code
        assert status == 200, (who, url, status)
# Booking on SQLite: the services keep the overlap rule where no exclusion constraint does.
from datetime import timedelta
from django.utils import timezone
from scheduling.models import Visit
coming = Visit.objects.filter(status="accepted", checked_out_at__isnull=True)
assert coming.count() == 17  # Ruth's 16 weekly visits, and Friday night's sleep-in
# The start of Ruth's care log in the last week (the demo year's delivered visits are other
# people's), and two months of her visits before it, one month closed.
week_ago = timezone.now() - timedelta(days=8)
assert Visit.objects.filter(receiver__number=1, checked_out_at__gte=week_ago).count() == 3
assert Visit.objects.filter(receiver__number=1, hours="confirmed").count() >= 10
from carecoop.exceptions import ConflictError
from scheduling import services as scheduling_services
first = coming.order_by("starts").first()
clash = scheduling_services.visit_book(
    by=first.receiver.user, receiver=first.receiver, worker=first.worker, starts=first.starts, ends=first.ends
).visits[0]
try:
    scheduling_services.visit_accept(visit=clash, by=first.worker.user)
except ConflictError as error:
    assert error.code == "overlap"
else:
    raise AssertionError("an overlapping visit was accepted on SQLite")
# Suggestions and search read lists in the same query (ARRAY on PostgreSQL, JSON on SQLite).
from django.utils import timezone
from matching import selectors
from members.models import Profile
ruth = Profile.objects.get(membership__number=1)
found = selectors.suggestions_for(receiver=ruth, on=timezone.localdate())
assert found and any("experience" in r for s in found for r in s.reasons), [s.reasons for s in found]
assert any(r.startswith("free on") for s in found for r in s.reasons), [s.reasons for s in found]
workers = list(selectors.worker_search(criteria=selectors.WorkerCriteria(), on=timezone.localdate()))
assert workers and all(isinstance(w.skill_names, list) for w in workers)
assert any(w.skill_names for w in workers)
print("ok")
"""


def test_the_embedded_default_runs_the_demo_and_its_pages_on_sqlite(tmp_path):
    env = _clean_env(DJANGO_SETTINGS_MODULE="carecoop.settings.local", CARECOOP_VAR_DIR=str(tmp_path))

    result = _run(["-c", EMBEDDED_DEMO], env)

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
