"""A developer's machine: no servers needed (SQLite, an embedded broker, emails written to var/emails/)."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env, without_jit

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="local-only-not-secret-7f3a9c1e5b2d8046e1c9a7b3f5d2e8c4a6b0d1f3e5c7a9b",
)

# Emails link to the address `make run` serves (its PORT), unless told otherwise.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

# A made-up account for the demo, so the application page shows how paying looks.
COOP_BANK_ACCOUNT_NAME = env("COOP_BANK_ACCOUNT_NAME", default="Calder Valley Care Co-op Ltd")
COOP_BANK_SORT_CODE = env("COOP_BANK_SORT_CODE", default="00-00-00")
COOP_BANK_ACCOUNT_NUMBER = env("COOP_BANK_ACCOUNT_NUMBER", default="12345678")

VAR_DIR.mkdir(parents=True, exist_ok=True)

# Emails: one line each in the terminal, the whole message in var/emails/NNN.eml (EMAIL_URL,
# say smtp://localhost:1025, sends them to a mail server instead).
if "EMAIL_URL" not in os.environ:
    EMAIL_BACKEND = "carecoop.mailfolder.FolderEmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "emails"
DATABASES = {
    "default": without_jit(env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'carecoop.sqlite3'}")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web app, the worker and beat share one file: wait for locks rather than failing,
    # and take the write lock at the start of a transaction so two writers never deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [  # noqa: F405
    "rest_framework.renderers.JSONRenderer",
    "rest_framework.renderers.BrowsableAPIRenderer",
]
CARECOOP_DEMO_DATA_ALLOWED = env.bool("CARECOOP_DEMO_DATA_ALLOWED", default=True)
