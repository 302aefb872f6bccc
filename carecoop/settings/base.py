"""Settings shared by every environment.

Everything that differs between machines is read from the environment (12-factor, through
django-environ). local.py, test.py and production.py add what is particular to each.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

# Django's classes that django-stubs types as generic (admin.ModelAdmin[Membership]) accept the
# subscript at run time too; it adds a __class_getitem__ that returns the class, nothing more.
django_stubs_ext.monkeypatch()

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def without_jit(database: dict[str, Any]) -> dict[str, Any]:
    """A PostgreSQL connection with JIT compilation off (decision 33): a web request's queries are
    short, and compiling one the planner guesses is costly takes far longer than running it."""
    if database.get("ENGINE") == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return database


def outage_tolerant(cache: dict[str, Any]) -> dict[str, Any]:
    """The cache `cache` names, with Django's Redis backend swapped for one that keeps answering
    while Redis is down (carecoop.cache, decision 41), and that gives up on a Redis that does not
    answer within a second (unless the address sets its own timeouts)."""
    if cache.get("BACKEND") != "django.core.cache.backends.redis.RedisCache":
        return cache
    options = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0, **cache.get("OPTIONS", {})}
    return {**cache, "BACKEND": "carecoop.cache.OutageTolerantRedisCache", "OPTIONS": options}


# Runtime files of a local run (SQLite database, embedded broker, beat schedule); ignored by git.
VAR_DIR = Path(env.path("CARECOOP_VAR_DIR", default=BASE_DIR / "var"))

# --- The co-op ------------------------------------------------------------------------------
COOP_NAME = env("COOP_NAME", default="Calder Valley Care Co-op")
COOP_AREA = env("COOP_AREA", default="Calderdale")
# The address members reach the site at, for links in emails (no trailing slash). Emails are
# written away from any request (by a worker), so their links are built from this alone.
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
COOP_CONTACT_EMAIL = env("COOP_CONTACT_EMAIL", default="hello@caldervalley.care.example")
COOP_CONTACT_PHONE = env("COOP_CONTACT_PHONE", default="01422 000000")
COOP_PLACES = env.list("COOP_PLACES", default=["Hebden Bridge", "Todmorden", "Halifax"])
# Where applicants pay for their shares. None by default: a co-op names its own account, and
# until it does the application page says the office will tell them how to pay.
COOP_BANK_ACCOUNT_NAME = env("COOP_BANK_ACCOUNT_NAME", default="")
COOP_BANK_SORT_CODE = env("COOP_BANK_SORT_CODE", default="")
COOP_BANK_ACCOUNT_NUMBER = env("COOP_BANK_ACCOUNT_NUMBER", default="")

# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "phonenumber_field",
    "solo",
    "csp",
    "dbbackup",
    # The co-op's apps, in the one direction their dependencies flow: the plumbing they all share
    # (the email outbox, site-wide commands, admin mixins) first.
    "carecoop",
    "members",
    "matching",
    "scheduling",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A body larger than any form or upload takes is refused before anything reads it.
    "carecoop.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Headers on every page (decision 43): no inline script, no browser feature the pages do not
    # use, and nothing with a member's data kept in a shared or browser cache.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "carecoop.middleware.PrivateResponsesMiddleware",
    # Answers a page asks for many times (the member logged in) are looked up once (decision 35).
    "carecoop.request_memo.RequestMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "carecoop.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A null character in the query is a 400 for every page and API: the database cannot read one.
    "carecoop.middleware.NullCharacterRefusedMiddleware",
    # A staff account is used only after its second factor (decision 44).
    "carecoop.second_factor.StaffSecondFactorMiddleware",
    # Changes made through the admin are recorded with the staff member who made them.
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Scripts and styles come only from the site's own files: no inline script, no script from
# anywhere else. Style attributes stay allowed (a bar's width in the results chart); a <style>
# element does not. Swagger UI draws its icons from data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Every browser feature the pages do not use is off; location only for the site itself (a
# worker may share where they are when checking in).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "geolocation": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "camera",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "gyroscope",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "screen-wake-lock",
            "usb",
            "xr-spatial-tracking",
        )
    },
}
# The largest request body any page takes: a meeting's document (20 MB) in a form. Larger ones
# are refused from their Content-Length, before a byte of them is read.
CARECOOP_MAX_REQUEST_BYTES = 21 * 1024 * 1024

ROOT_URLCONF = "carecoop.urls"
CSRF_FAILURE_VIEW = "carecoop.views.csrf_failure"
WSGI_APPLICATION = "carecoop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carecoop.context_processors.coop",
                "members.context_processors.navigation",
                "scheduling.context_processors.notifications_unread",
                "governance.context_processors.votes_waiting",
            ],
        },
    },
]
# Forms render through the project's templates, so every form shares one accessible markup.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CONN_MAX_AGE = env.int("DJANGO_CONN_MAX_AGE", default=0)

# --- People and accounts --------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Members land on their day; the adapter sends staff to theirs, and the rest to the way to join.
LOGIN_REDIRECT_URL = "today"

# django-allauth: the email address is the login, and it must be verified before first use.
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "members.forms.LoginForm",
    "signup": "members.forms.SignupForm",
    "change_password": "members.forms.ChangePasswordForm",
    "reset_password": "members.forms.ResetPasswordForm",
    "reset_password_from_key": "members.forms.ResetPasswordKeyForm",
    "add_email": "members.forms.AddEmailForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{COOP_NAME}] "
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_PREVENT_ENUMERATION = True
# Behind N proxies of our own, the client's address is the Nth from the end of X-Forwarded-For;
# with none (the default), that header can be forged and is ignored. Rate limits count per address.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# allauth's rate limits are on by default; they are stated here so that nobody turns them off
# by accident. They count in the cache, so production must use a shared cache (Redis).
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}

# Two-factor login (allauth.mfa): an authenticator app and recovery codes. Staff must use it
# (carecoop.second_factor, decision 44); any member may.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = COOP_NAME
# A code from the 30 seconds before or after is accepted too: a phone's clock a little out, or a
# code typed as it changed. Each code is still accepted once only.
MFA_TOTP_TOLERANCE = 1

PHONENUMBER_DEFAULT_REGION = "GB"
# Postcodes to coordinates (members/geo.py): district centroids, with no network service.
CARECOOP_GEOCODER = env("CARECOOP_GEOCODER", default="members.geo.DistrictGeocoder")

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Every text is marked for translation, and the co-op has one language, so translating is off
# (decision 51): the same English, with no catalogues walked for each word. The co-op's second
# language turns it on.
USE_I18N = False
TIME_ZONE = "Europe/London"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Backups of the database and of the uploaded files (django-dbbackup; docs/operations.md): made
# each night by the worker, the last DJANGO_BACKUP_KEEP of each kept here. Copy them off the
# machine too: a backup on the same disk goes with it.
BACKUP_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(env.path("DJANGO_BACKUP_DIR", default=VAR_DIR / "backups"))},
}
DBBACKUP_CLEANUP_KEEP = env.int("DJANGO_BACKUP_KEEP", default=14)
# A failed backup is an error like any other: logged and reported, not mailed by the library.
DBBACKUP_SEND_EMAIL = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "dbbackup": BACKUP_STORAGE,
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")

# --- Email ----------------------------------------------------------------------------------
vars().update(env.email("EMAIL_URL", default="consolemail://"))
# A mail server that hangs must not hold a sender (and the row it has claimed) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{COOP_NAME} <{COOP_CONTACT_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------------------
CACHES = {"default": outage_tolerant(env.cache("CACHE_URL", default="locmemcache://"))}
# The co-op's policies (one row each) are read on most pages: kept in the cache once committed,
# dropped when one is saved (carecoop.policies), and never kept longer than five minutes.
SOLO_CACHE = "default"
SOLO_CACHE_TIMEOUT = 5 * 60

# --- Celery ---------------------------------------------------------------------------------
# With no broker configured, messages go through folders on disk: the embedded default needs no
# server. Production sets CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/")
_celery_folder = VAR_DIR / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, str] = (
    {
        "data_folder_in": str(_celery_folder / "queue"),
        "data_folder_out": str(_celery_folder / "queue"),
        "control_folder": str(_celery_folder / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
# Tasks keep their truth in the database, so there are no results to store.
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it has run, so a worker that dies mid-task leaves it to be
# redelivered; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "vetting-reminders": {
        "task": "members.vetting_reminders_send",
        "schedule": crontab(hour=7, minute=0),
    },
    "workers-bookable-refresh": {
        "task": "members.workers_bookable_refresh",
        "schedule": crontab(hour=0, minute=10),
    },
    "introductions-expire": {
        "task": "matching.introductions_expire",
        "schedule": crontab(minute=5),
    },
    "trial-reminders": {
        "task": "matching.trial_reminders_send",
        "schedule": crontab(hour=8, minute=0),
    },
    # The outbox's sweep: every email still owed (a Celery message lost, a mail server down).
    "emails-send": {"task": "carecoop.emails_send", "schedule": crontab()},
    "backups-make": {"task": "carecoop.backups_make", "schedule": crontab(hour=2, minute=30)},
    "sent-once-forget": {"task": "carecoop.sent_once_forget", "schedule": crontab(minute=20)},
    "visit-reminders": {"task": "scheduling.reminders_send_due", "schedule": crontab()},
    "visit-offers-expire": {"task": "scheduling.offers_expire", "schedule": crontab()},
    "visits-release-left-team": {
        "task": "scheduling.visits_release_left_team",
        "schedule": crontab(minute="*/5"),
    },
    "visit-hours-confirm": {
        "task": "scheduling.hours_confirm_unanswered",
        "schedule": crontab(minute="*/10"),
    },
    "ballots-open": {"task": "governance.ballots_open_due", "schedule": crontab()},
    "ballots-close": {"task": "governance.ballots_close_due", "schedule": crontab()},
    # After the night's backup: former members whose retention period is over (decision 49).
    "members-erase-after-retention": {
        "task": "governance.members_erase_after_retention",
        "schedule": crontab(hour=3, minute=15),
    },
    "visit-series-book-ahead": {
        "task": "scheduling.series_book_ahead_all",
        "schedule": crontab(hour=1, minute=30),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with WWW-Authenticate: Token.
        "carecoop.second_factor.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "carecoop.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "carecoop.api.JSONParser",  # refuses a body nested too deeply before parsing it
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "carecoop.api.exception_handler",
    # No OPTIONS description: the schema describes the API, and a method it does not offer is a 405.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_THROTTLE_RATES": {"auth_token": "10/minute"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=30),
    "AUTO_REFRESH": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "carecoop API",
    "DESCRIPTION": (
        "The co-op's API: the same services as the web pages. Authenticate with a session "
        "or with `Authorization: Token <token>` from `POST /api/v1/auth/token/`. Errors are "
        'JSON: `{"detail": ..., "code": ...}`, with field errors keyed by field name (the errors '
        "of a list's items in an array, one entry per item). A method a path does not offer is a 405."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's button, which screen readers cannot use.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "persistAuthorization": False},
    # Choice sets that share a field name get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "VettingCheckKindEnum": "members.models.VettingCheck.Kind",
        "IntroductionKindEnum": "matching.models.Introduction.Kind",
        "GoverningDocumentKindEnum": "members.models.GoverningDocument.Kind",
        "VisitStatusEnum": "scheduling.models.Visit.Status",
        "VisitExpenseKindEnum": "scheduling.models.VisitExpense.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "carecoop.once.add_in_progress_responses",
        "carecoop.api.add_error_responses",
    ],
}

# --- Demo data ------------------------------------------------------------------------------
# seed_demo creates accounts with published passwords: never where real people sign in.
CARECOOP_DEMO_DATA_ALLOWED = env.bool("CARECOOP_DEMO_DATA_ALLOWED", default=False)

# --- Errors and logging ---------------------------------------------------------------------
# Django's error reports (the emails to ADMINS) leave out what members typed and who they are
# (decision 42); Sentry's are scrubbed in production.py.
DEFAULT_EXCEPTION_REPORTER_FILTER = "carecoop.reporting.ReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "carecoop.reporting.ExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # One email for each kind of error in ten minutes: a database outage fails every request.
        "once_in_a_while": {"()": "carecoop.reporting.OnceInAWhile"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false", "once_in_a_while"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    # Django's own, but with the filter above (its messages reach the console through the root).
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
