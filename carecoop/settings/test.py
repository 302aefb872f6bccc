"""The test suite: PostgreSQL and Redis, as in production (tests/conftest.py refuses anything else)."""

import hashlib
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, env, without_jit

DEBUG = False
SECRET_KEY = "test-only-not-secret-2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5"

DATABASES = {
    "default": without_jit(env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/carecoop")),
}
# Each checkout tests in a database of its own, so two checkouts can run their tests at once.
_checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
# TEST_DATABASE_NAME lets two runs in one checkout work side by side.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=f"test_carecoop_{_checkout}")}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
# A queue of each test database's own: two runs at once (two checkouts, or two databases in one)
# never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = f"carecoop-{DATABASES['default']['TEST']['NAME']}"
CELERY_BROKER_TRANSPORT_OPTIONS = {}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Hashing passwords slowly protects real accounts; in tests it only costs time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CARECOOP_DEMO_DATA_ALLOWED = True
# Static files straight from the source folders, as on a developer's machine: no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run inline where a test commits: services are tested with their effects. Tests of real
# delivery start a Celery worker on the Redis broker and turn this off.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Uploaded photos go to a folder of their own for each test run.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="carecoop-test-media-"))
