"""Production: every secret comes from the environment, and is required."""

from email.utils import parseaddr

from .base import *  # noqa: F403
from .base import BACKUP_STORAGE, COOP_NAME, env, outage_tolerant, without_jit

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Every link in every email is built from it: without it they would point at localhost.
SITE_URL = env("SITE_URL").rstrip("/")

DATABASES = {"default": without_jit(env.db("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Rate limits must be shared by every web process. While Redis is down, each process counts
# on its own and pages read everything from the database (decision 41).
CACHES = {"default": outage_tolerant(env.cache("CACHE_URL"))}
# Sessions live in the database alone (Django's default), not in the cache as well: a logout
# while Redis is down could not drop the copy Redis keeps, which would log the member back in
# once Redis returned (decision 41).

# Emails must really go: verification and password resets depend on them.
vars().update(env.email("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Errors reach someone (decision 42) -----------------------------------------------------
# Who is emailed each server error, e.g. "Ann Lee <ann@example.org>,ops@example.org".
ADMINS = [parseaddr(address) for address in env.list("DJANGO_ADMINS", default=[])]
EMAIL_SUBJECT_PREFIX = f"[{COOP_NAME} error] "
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from carecoop.reporting import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "dbbackup": BACKUP_STORAGE,
}

# --- HTTPS ---------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Health checks come from inside the network, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True

CARECOOP_DEMO_DATA_ALLOWED = False
