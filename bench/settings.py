"""Production's settings, served over plain HTTP on the loopback for the benchmark: the same
middleware, templates, cache on Redis and sessions in the database, DEBUG off; only what HTTPS
and real email need is turned off, and the database is the benchmark's own (BENCH_DATABASE_URL)."""

import os

_LOOPBACK = {
    "DJANGO_SECRET_KEY": "bench-only-not-secret-4b1e9d7c3a5f8e2d6c0b4a9f7e1d3c5b8a2f6e0d4c9b",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/carecoop_bench"),
    "CELERY_BROKER_URL": "memory://",
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13"),
    "EMAIL_URL": "consolemail://",
    "DEFAULT_FROM_EMAIL": "bench@carecoop.example",
    "SITE_URL": "http://127.0.0.1:8131",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
}
# Set outright, not as defaults: a DATABASE_URL or CACHE_URL left in the shell for the app must
# never send the benchmark to another database or cache.
os.environ.update(_LOOPBACK)

from carecoop.settings.production import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ROOT_URLCONF = "bench.urls"
# Emails are owed in the outbox and never sent during a run; tasks go nowhere.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files are not collected for a run: their addresses are built without the manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The town's members share a published password, so seed_town only runs where demo data may.
CARECOOP_DEMO_DATA_ALLOWED = True
# The two towns share one Redis database: each keeps its own keys (a member's kept ballots, the
# policies, the rate limits), since the same ids mean different members in each.
CACHES["default"]["KEY_PREFIX"] = DATABASES["default"]["NAME"]  # noqa: F405
