"""One settings module, read from the environment (see .env.example for every variable).

With nothing set, the portal runs as an embedded development install: SQLite under var/, Celery tasks on
an embedded broker (a folder under var/) for the worker `make run` starts, e-mail printed to the console.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LHS_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """A variable, or the content of the file named by NAME_FILE (Docker and Kubernetes secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {reason}.") from None
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEV_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105

# DJANGO_DEBUG: unset, a development install (plain HTTP, the development key, static files read from the
# source tree) that shows people the portal's own 404/403/500 pages; 1, the same with Django's debug pages
# for developers (tracebacks, every URL pattern); 0, production.
DEVELOPMENT = env_bool("DJANGO_DEBUG", True)
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
if not DEVELOPMENT and SECRET_KEY in ("", DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set to a real secret when DJANGO_DEBUG=0."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    # Sign-in with a second factor and single sign-on (issue 22): see the "Sign-in" block below.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "rest_framework",  # the read API (reports/api/), with its OpenAPI schema and docs page
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "commitments",
    "assessments",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "assessments.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "assessments.raters.middleware.RaterSessionMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "assessments.signin.middleware.MfaEnrolmentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lhs_portal.middleware.MethodNotAllowedPageMiddleware",
    "csp.middleware.CSPMiddleware",
    # django-axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lhs_portal.urls"
WSGI_APPLICATION = "lhs_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessments.context_processors.portal",
                "assessments.context_processors.session_timeout",
            ],
        },
    },
]

# Database: a postgres:// URL selects PostgreSQL; unset selects a SQLite file under var/.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED", True):
        # Server-side parameters, and psycopg prepares a statement once a connection has run it 5 times:
        # PostgreSQL then skips parsing and planning, which was most of its CPU on the busiest pages.
        # (Not behind a transaction-pooling PgBouncer: set DB_PREPARED=0 there.)
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # A few seconds of patience instead of "database is locked" when the demo worker writes.
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each process keeps its own cache (nothing in it is shared state: every entry's key names what it was made
# from, so no process can serve another's outdated entry). Django's default keeps 300 entries and culls a
# third beyond that, but the kept fragments of the busiest pages (level cards, side navigation, dashboard
# halves) number a few thousand under load; most are a few kB, a dashboard half up to ~40 kB.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("LOCAL_CACHE_ENTRIES", 5000)},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "assessments.backends.PortalBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username from one IP after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client address behind DJANGO_PROXY_COUNT proxies (assessments.audit.client_ip, with django-ipware):
# the same function gives django-axes and the audit log their address. Without DJANGO_BEHIND_PROXY=1 no
# forwarded header is read, so a client talking to the portal directly cannot choose its address.
CLIENT_IP_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 1) if env_bool("DJANGO_BEHIND_PROXY", False) else 0
if CLIENT_IP_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be 0 or more (the proxies in front of the portal).")
AXES_CLIENT_IP_CALLABLE = "assessments.audit.client_ip"

# Sessions: idle timeout and absolute lifetime, enforced by assessments.middleware.SessionTimeoutMiddleware.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600
# How long before the idle timeout the page warns and offers to stay signed in (WCAG 2.2.1 asks for 20 s).
SESSION_IDLE_WARNING = env_int("SESSION_IDLE_WARNING_SECONDS", 120)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Sign-in (django-allauth): username and password as before (Django's own views keep sign-out, password change
# and reset), then a second factor; single sign-on through each organization's OpenID Connect provider.
# There is no public sign-up: people join by invitation only (assessments.signin.adapters).
ACCOUNT_ADAPTER = "assessments.signin.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "assessments.signin.forms.PortalLoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # e-mail addresses come from invitations, whose link proves them
ACCOUNT_SESSION_REMEMBER = True  # the session lasts SESSION_ABSOLUTE_HOURS, as before
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
ACCOUNT_RATE_LIMITS = {"login_failed": None}  # django-axes owns failed sign-ins and lockouts
# Second factor: authenticator apps (TOTP), security keys and passkeys (WebAuthn), one-time recovery codes.
MFA_ADAPTER = "assessments.signin.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "assessments.signin.forms.PortalAuthenticateForm",
    "deactivate_totp": "assessments.signin.forms.DeactivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# WebAuthn needs https, except on http://localhost while developing (and in the browser tests).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "LHS Commitments Portal"
MFA_ALLOW_UNVERIFIED_EMAIL = True  # see ACCOUNT_EMAIL_VERIFICATION
# Who must have a second factor before reaching any page: "admins" (NAM staff and organization admins), "all",
# or "none" (development only: refused with DJANGO_DEBUG=0).
MFA_REQUIRED_FOR = env_str("MFA_REQUIRED_FOR", "admins")
if MFA_REQUIRED_FOR not in ("admins", "all", "none") or (MFA_REQUIRED_FOR == "none" and not DEBUG):
    raise ImproperlyConfigured(
        f"MFA_REQUIRED_FOR must be admins or all (none only with DJANGO_DEBUG=1), not {MFA_REQUIRED_FOR!r}"
    )
# Secrets kept in the database (TOTP keys, SSO client secrets) are encrypted with this key (Fernet, derived
# from DJANGO_SECRET_KEY when unset). Changing it makes the stored secrets unreadable.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
SOCIALACCOUNT_ADAPTER = "assessments.signin.adapters.SocialAccountAdapter"
# The adapter decides who comes in by single sign-on: an invitation or an existing account, never a stranger.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching by e-mail is the adapter's, with its own rules
SOCIALACCOUNT_STORE_TOKENS = False
# NAM's own OpenID Connect provider for NAM staff (unset: they sign in with a password and a second factor).
# Whether organization admins may keep their own provider's details (NAM staff always set the e-mail domains).
SSO_ORG_ADMINS_MAY_CONFIGURE = env_bool("SSO_ORG_ADMINS_MAY_CONFIGURE", False)
NAM_OIDC_ISSUER = env_str("NAM_OIDC_ISSUER")
NAM_OIDC_CLIENT_ID = env_str("NAM_OIDC_CLIENT_ID")
NAM_OIDC_CLIENT_SECRET = env_str("NAM_OIDC_CLIENT_SECRET")
NAM_OIDC_DOMAINS = env_list("NAM_OIDC_DOMAINS", [])

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reports.staticfiles.PlotlyFinder",
]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production; plain files while developing and testing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Evidence files (assessments/evidence, README "Evidence files"): never under MEDIA_ROOT or any public URL;
# downloads go through a view that checks permission. A folder under var/ by default; any S3-compatible
# store (django-storages, `pip install 'django-storages[s3]'`) when EVIDENCE_S3_BUCKET is set.
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", str(VAR_DIR / "evidence")))
EVIDENCE_S3_BUCKET = env_str("EVIDENCE_S3_BUCKET")
STORAGES["evidence"] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": env_str("EVIDENCE_S3_ENDPOINT_URL") or None,
            "region_name": env_str("EVIDENCE_S3_REGION") or None,
            "access_key": env_str("EVIDENCE_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("EVIDENCE_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("EVIDENCE_S3_PREFIX", "lhs-evidence"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if EVIDENCE_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": EVIDENCE_ROOT}}
)
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_MB", 20) * 1024 * 1024
EVIDENCE_MAX_ASSESSMENT_BYTES = env_int("EVIDENCE_MAX_ASSESSMENT_MB", 250) * 1024 * 1024
# A clamd unix socket (e.g. /run/clamav/clamd.ctl): each upload is scanned before it is stored; unset, none.
CLAMD_SOCKET = env_str("CLAMD_SOCKET")
CLAMD_TIMEOUT_SECONDS = env_int("CLAMD_TIMEOUT_SECONDS", 30)
# While developing, WhiteNoise serves static files straight from the source tree (runserver serves them
# only with DEBUG on), so the default install needs no collectstatic.
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LHS Commitments Portal <portal@localhost>")
NAM_NOTIFY_EMAILS = env_list("NAM_NOTIFY_EMAILS", [])

# Security headers. HSTS and secure cookies follow DJANGO_DEBUG=0; the SSL redirect is configurable because a
# proxy in front of the portal usually terminates TLS and redirects already.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEVELOPMENT else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEVELOPMENT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: nothing inline, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Celery: a broker URL selects that broker (Redis in production). Unset selects the embedded broker, which
# needs no server: kombu's filesystem transport, one file per message in a folder under var/ (README, "The
# embedded worker"). `make run` starts a worker with beat on it, so tasks run in the background as they do in
# production; eager mode (tasks inside the request) only where a test asks for it.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_BROKER_EMBEDDED = not CELERY_BROKER_URL
CELERY_EMBEDDED_BROKER_DIR = VAR_DIR / "celery-broker"
if CELERY_BROKER_EMBEDDED:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "lhs_portal.embedded_broker:Transport"  # makes its folders again if deleted
CELERY_TASK_ALWAYS_EAGER = False
# The queue web publishes to and workers take from: another name keeps two installs (or a benchmark) on one
# Redis apart.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# The sweep has a queue of its own, which every worker also takes from (in turn with the other): in the one
# queue it waited behind a whole batch of renders, so a lost scorecard came back only after the batch.
CELERY_SWEEP_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-sweep"
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name), routing_key=name) for name in (CELERY_TASK_DEFAULT_QUEUE, CELERY_SWEEP_QUEUE)
)
CELERY_TASK_ROUTES = {"reports.sweep_scorecards": {"queue": CELERY_SWEEP_QUEUE}}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged after it ran, so a crash means redelivery
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ... including when the worker process is killed
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long renders: never hold tasks another worker could run
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # they will be redelivered
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after the visibility timeout: set it explicitly and keep the
# task time limits well below it, or a slow task would run twice.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
if env_str("CELERY_BROKER_MASTER_NAME"):  # Redis Sentinel: sentinel://host1:26379;sentinel://host2:26379...
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = env_str("CELERY_BROKER_MASTER_NAME")
if CELERY_BROKER_EMBEDDED:
    # Producers write into the folder the worker reads from; the worker moves a message out and deletes it
    # once read, so the embedded broker serves ONE worker process (more workers: Redis, README).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_EMBEDDED_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_EMBEDDED_BROKER_DIR / "control"),
    }
    try:
        for _folder in ("queue", "control"):
            (CELERY_EMBEDDED_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"The embedded Celery broker needs the folder {CELERY_EMBEDDED_BROKER_DIR}: {exc.strerror}. "
            "Make var/ writable (or set LHS_VAR_DIR), or set CELERY_BROKER_URL=redis://..."
        ) from None
# A request must not hang when the broker is down: give up publishing quickly and let the sweep re-queue.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_MAX_TASKS_PER_CHILD", 500)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_MAX_MEMORY_PER_CHILD_KB", 600_000)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-scorecards": {"task": "reports.sweep_scorecards", "schedule": 60.0},
    # Every hour on the hour: each person's reminders go out once their local REMINDER_LOCAL_HOUR has come.
    "dispatch-reminders": {"task": "reports.dispatch_reminders", "schedule": crontab(minute=0)},
    "delete-withdrawn-organizations": {
        "task": "assessments.delete_withdrawn_organizations",
        "schedule": 3600.0,
    },
    "prune-retention": {"task": "assessments.prune_retention", "schedule": 24 * 3600.0},
    "delete-expired-archives": {"task": "reports.delete_expired_archives", "schedule": 3600.0},
}
# Tasks of feature packages (assessments/<feature>/, reports/<feature>/): autodiscovery finds only each app's
# own tasks.py, so the worker imports these by name (the one list of them).
CELERY_IMPORTS = [
    "assessments.raters.tasks",
    "assessments.terms.tasks",
    "reports.archive.tasks",
    "reports.reminders.tasks",
]
REMINDER_LOCAL_HOUR = env_int("REMINDER_LOCAL_HOUR", 8)
if CELERY_TASK_TIME_LIMIT >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must be well below CELERY_VISIBILITY_TIMEOUT.")

# Benchmarks: the smallest peer group shown, not counting the viewer's own organization nor its affiliates;
# also the fewest results that must change between two releases of a cycle (reports/disclosure.py).
BENCHMARK_MIN_PEERS = env_int("BENCHMARK_MIN_PEERS", 5)
# The fewest peers for quartiles, the middle half and percentile ranks; for the 10th and 90th percentiles.
BENCHMARK_MIN_PEERS_QUARTILES = env_int("BENCHMARK_MIN_PEERS_QUARTILES", 10)
BENCHMARK_MIN_PEERS_TAILS = env_int("BENCHMARK_MIN_PEERS_TAILS", 20)
# The default of a release's choice: whether submitted-but-not-yet-validated results count in it.
BENCHMARK_INCLUDE_SUBMITTED = env_bool("BENCHMARK_INCLUDE_SUBMITTED", False)

# Scorecards
SCORECARD_PAGE_SIZE = env_str("SCORECARD_PAGE_SIZE", "letter")  # letter or A4
SCORECARD_MAX_ATTEMPTS = env_int("SCORECARD_MAX_ATTEMPTS", 3)
SCORECARD_STUCK_MINUTES = env_int("SCORECARD_STUCK_MINUTES", 10)
CHROMIUM_PATH = env_str("CHROMIUM_PATH")  # empty: found on PATH (Debian's chromium)

INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)
# Rating rounds (assessments/raters): a rater group's ratings are shown only from this many raters on;
# a rater's e-mailed link works this many days after it was sent.
RATER_GROUP_MIN = env_int("RATER_GROUP_MIN", 3)
RATER_LINK_MAX_AGE_DAYS = env_int("RATER_LINK_MAX_AGE_DAYS", 30)

# The assessment workbook (assessments/workbook): limits on an uploaded file, checked before it is opened.
WORKBOOK_MAX_UPLOAD_BYTES = env_int("WORKBOOK_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
WORKBOOK_MAX_UNCOMPRESSED_BYTES = env_int("WORKBOOK_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
WORKBOOK_MAX_ROWS = env_int("WORKBOOK_MAX_ROWS", 2000)  # rows of all sheets together
# Participation terms, data archives and retention (assessments/terms, reports/archive; README). The shipped
# terms (fixtures/terms/) state these defaults: change the text with them.
WITHDRAWAL_RETENTION_DAYS = env_int("WITHDRAWAL_RETENTION_DAYS", 90)  # then a withdrawn org's data is deleted
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 2190)
RESPONSE_HISTORY_RETENTION_DAYS = env_int("RESPONSE_HISTORY_RETENTION_DAYS", 2190)
DATA_ARCHIVE_EXPIRY_HOURS = env_int("DATA_ARCHIVE_EXPIRY_HOURS", 72)

# The read API (reports/api/, README "API"): tokens live at most API_TOKEN_MAX_DAYS; each token may make
# API_THROTTLE_RATE requests (DRF's "number/period"); lists come in pages of API_PAGE_SIZE rows.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 500)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["reports.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["reports.api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reports.api.views.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,  # scores as JSON numbers (3.67), as R and Stata read them
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LHS Commitments Portal API",
    "DESCRIPTION": "Read-only. Send `Authorization: Bearer <token>`; create tokens on your API tokens page.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # The docs page's assets come from drf-spectacular-sidecar through our static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF step at INFO; keep the logs for what matters.
    "loggers": {name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools")},
}
