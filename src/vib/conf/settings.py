"""VIB settings: one module, driven by environment variables (docs/configuration.md).

``VIB_ENV`` selects defaults only: ``development`` (the default, used by ``make run``),
``test`` and ``production``. Production refuses to start without a real secret key,
allowed hosts and encryption keys.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from vib.conf.env import env_bool, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env_str("VIB_BASE_DIR", str(SRC_DIR.parent.parent)))
VAR_DIR = Path(env_str("VIB_VAR_DIR", str(BASE_DIR / "var")))

VIB_ENV = env_str("VIB_ENV", "development")
if VIB_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("VIB_ENV must be development, test or production.")
PRODUCTION = VIB_ENV == "production"

# --- secrets -------------------------------------------------------------------------------
_DEV_SECRET = "insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("VIB_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
# Fernet keys (urlsafe base64, 32 bytes) for encrypted fields; first one encrypts, all decrypt.
_DEV_ENCRYPTION_KEY = "dmliLWRldmVsb3BtZW50LWtleS0zMi1ieXRlcyEhISE="
ENCRYPTION_KEYS = env_list("VIB_ENCRYPTION_KEYS", [] if PRODUCTION else [_DEV_ENCRYPTION_KEY])
# Keys of the audit chain's HMAC, as "id:secret" (kept outside the database); the first signs
# new events and checkpoints, all verify. Rotate by prepending a new key (ADR 0093).
_DEV_AUDIT_KEY = "dev:vib-development-audit-key-never-use-in-production"
AUDIT_KEYS = env_list("VIB_AUDIT_KEYS", [] if PRODUCTION else [_DEV_AUDIT_KEY])
DEBUG = env_bool("VIB_DEBUG", default=VIB_ENV == "development")
ALLOWED_HOSTS = env_list(
    "VIB_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
DEMO_MODE = env_bool("VIB_DEMO", default=not PRODUCTION)

if PRODUCTION:
    _missing = [
        name
        for name, ok in (
            ("VIB_SECRET_KEY", len(SECRET_KEY) >= 50 and SECRET_KEY != _DEV_SECRET),
            ("VIB_ALLOWED_HOSTS", bool(ALLOWED_HOSTS)),
            ("VIB_REDIS_URL", bool(env_str("VIB_REDIS_URL"))),
            (
                "VIB_ENCRYPTION_KEYS",
                bool(ENCRYPTION_KEYS) and _DEV_ENCRYPTION_KEY not in ENCRYPTION_KEYS,
            ),
            ("VIB_AUDIT_KEYS", bool(AUDIT_KEYS) and _DEV_AUDIT_KEY not in AUDIT_KEYS),
        )
        if not ok
    ]
    if _missing:
        raise ImproperlyConfigured(
            "Production mode refuses to start: set "
            + ", ".join(_missing)
            + " (a secret key of at least 50 characters; see docs/configuration.md)."
        )
    if DEBUG:
        raise ImproperlyConfigured("VIB_DEBUG cannot be on in production.")
    if DEMO_MODE:
        raise ImproperlyConfigured("VIB_DEMO cannot be on in production.")

# --- applications --------------------------------------------------------------------------
INSTALLED_APPS = [
    "vib.web",  # first: its templates override Django's (admin, errors, registration)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver leaves static files to WhiteNoise too
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "mozilla_django_oidc",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "vib.core",
    "vib.organisations",
    "vib.accounts",
    "vib.audit",
    "vib.api",
    # Domain modules (each may contribute demo data, navigation and API routes).
    "vib.incidents",
    "vib.integrity",
    "vib.disclosures",
    "vib.governance",
    "vib.surveys",
    "vib.monitor",
    "vib.support",
    "vib.operations",  # last: scheduler, retention, backups and exports span all modules
]

MIDDLEWARE = [
    "vib.operations.middleware.RequestIdMiddleware",  # first: request id + one log line each
    "vib.core.middleware.ProbeMiddleware",  # /healthz, /readyz: before the host check (ADR 0152)
    "vib.api.middleware.ApiVersionMiddleware",  # first: also on redirects made by the others
    "vib.operations.dbdown.DatabaseUnavailableMiddleware",  # 503 + Retry-After, not 500
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: compressed, cached a year
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vib.web.middleware.DutchFirstLocaleMiddleware",  # Dutch until the visitor switches
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vib.accounts.middleware.SessionTimeoutMiddleware",
    "vib.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vib.accounts.middleware.ActiveOrganisationMiddleware",
    "vib.core.middleware.SecurityHeadersMiddleware",
    # Inside the others, so its page gets their headers (CSP, language) like any page.
    "vib.web.middleware.DebugErrorPagesMiddleware",  # Dutch 404/500 pages in DEBUG too
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into its answer
]

ROOT_URLCONF = "vib.conf.urls"
WSGI_APPLICATION = "vib.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vib.web.context_processors.shell",
            ],
        },
    }
]

# --- database ------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vib.sqlite3'}"),
        conn_max_age=env_int("VIB_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database lives under var/; a fresh clone has no var/ yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache -------------------------------------------------------------------------------
# Rate limits and throttles must be shared by all app processes: use Redis in production.
_REDIS_URL = env_str("VIB_REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
    if _REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "vib"}
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- authentication ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "vib.accounts.backends.LockoutBackend",  # first: refuses locked-out clients
    "django.contrib.auth.backends.ModelBackend",
    "vib.accounts.oidc.OrganisationOIDCBackend",
]
# Idle and absolute session time-outs (seconds); see vib.accounts.middleware.
SESSION_IDLE_TIMEOUT = env_int("VIB_SESSION_IDLE", 30 * 60)
# Lock-out after repeated failures: per account and client address together.
AXES_FAILURE_LIMIT = env_int("VIB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("VIB_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the log-in form field (it holds the e-mail address)
AXES_USERNAME_CALLABLE = "vib.accounts.backends.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password"]
# The client address behind VIB_TRUSTED_PROXIES, as the rate limits see it.
AXES_CLIENT_IP_CALLABLE = "vib.core.ratelimit.client_address"
# Failed log-ins per client address across user names (password spraying) in 15 minutes,
# after which every attempt from that address waits 30 seconds (ADR 0092).
# (The test suite logs in from one address all day: its default is high; tests that are about
# this limit set it.)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int(
    "VIB_LOGIN_ADDRESS_FAILURE_LIMIT", 1000 if VIB_ENV == "test" else 20
)
# Single sign-on: OpenID Connect, one provider per organisation (accounts.IdentityProvider).
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
OIDC_TIMEOUT = 10
OTP_TOTP_ISSUER = "VIB"
# Nobody reads another person's second-factor secret: django-otp's admin QR-code and
# configuration views and its backup-code list stay closed (ADR 0145).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- passkeys (WebAuthn) -------------------------------------------------------------------
# A passkey is a second factor only: it confirms a session after the password (or SSO), never
# replaces it. The RP id is the site's domain; credentials are bound to it for good.
# In production the site's own (first) host name is the default relying party, over https.
_SITE_HOST = ALLOWED_HOSTS[0].lstrip(".") if PRODUCTION and ALLOWED_HOSTS else "localhost"
OTP_WEBAUTHN_RP_ID = env_str("VIB_WEBAUTHN_RP_ID", _SITE_HOST)
OTP_WEBAUTHN_RP_NAME = env_str("VIB_WEBAUTHN_RP_NAME", "VIB")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "VIB_WEBAUTHN_ORIGINS",
    [f"https://{_SITE_HOST}"] if PRODUCTION else ["http://localhost:8000"],
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# No forced rotation (NIST SP 800-63B, BIO): long passphrases, checked against common ones.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if VIB_ENV == "test":
    # Fast hashing in tests only; the real costs are exercised by their own tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    RECEIPT_SCRYPT_N = 2**4

# --- internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- static and private files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:  # WhiteNoise warns about a missing STATIC_ROOT before any collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("VIB_PRIVATE_FILES", str(VAR_DIR / "private")))
# Signed checkpoints of the audit chain (`vib audit checkpoint`): keep them off the database
# server, ideally on write-once storage.
AUDIT_CHECKPOINT_DIR = Path(env_str("VIB_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: names with a content hash (WhiteNoise serves them with a one-year,
    # immutable cache lifetime) and gzip + brotli copies, made by collectstatic (ADR 100).
    # Development and tests read the source files, so they need no collectstatic.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- security headers ----------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("VIB_SESSION_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("VIB_SECURE_COOKIES", default=PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("VIB_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env_int("VIB_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("VIB_BEHIND_PROXY", default=False) else None
)
# Reverse proxies (addresses or networks) whose X-Forwarded-For the rate limits believe
# (vib.integrity.ratelimit.client_of, ADR 0092). Empty: the peer address is the client.
TRUSTED_PROXIES = env_list("VIB_TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"VIB_TRUSTED_PROXIES: {_proxy!r} is not an address or network."
        ) from _error

# --- e-mail --------------------------------------------------------------------------------
# Development prints mail on the console; set VIB_EMAIL_HOST to send through an SMTP server.
_EMAIL_HOST = env_str("VIB_EMAIL_HOST")
DEFAULT_FROM_EMAIL = env_str("VIB_EMAIL_FROM", "VIB <noreply@vib.localhost>")
if _EMAIL_HOST or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST or "localhost",
                "port": env_int("VIB_EMAIL_PORT", 25),
                "username": env_str("VIB_EMAIL_USER"),
                "password": env_str("VIB_EMAIL_PASSWORD"),
                "use_tls": env_bool("VIB_EMAIL_TLS", default=False),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- background tasks ----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if VIB_ENV == "test"
        else "django_tasks_db.DatabaseBackend"
    }
}

# --- API -----------------------------------------------------------------------------------
API_VERSION = "1.0.0"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vib.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vib.api.scopes.ScopedIsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "vib.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "vib.api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "vib.api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("VIB_API_RATE_ANON", "60/min"),
        "user": env_str("VIB_API_RATE_USER", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VIB API",
    "DESCRIPTION": "Veilig en Integer Bestuur — NL GOV API Design Rules compliant API.",
    "VERSION": API_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "OAS_VERSION": "3.0.3",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "CONTACT": {"name": "VIB", "url": "https://vib.example.nl", "email": "api@vib.example.nl"},
    "LICENSE": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/nl/"},
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "vib.incidents.codes.Status",
        "IncidentKanaalEnum": "vib.incidents.codes.Channel",
        "IntegriteitszaakStatusEnum": "vib.integrity.codes.Status",
        "IntegriteitszaakKanaalEnum": "vib.integrity.codes.Channel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vib.api.schema.add_standard_headers",
    ],
}

# --- monitor report ---------------------------------------------------------------------------
# The font the report's PDF and charts are set in: the charts measure their labels with its
# metrics (ADR 0118), so a label column is as wide as its longest label.
MONITOR_REPORT_FONT = Path(
    env_str("VIB_REPORT_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
)

# --- security contact (/.well-known/security.txt, SECURITY.md) ------------------------------
SECURITY_CONTACT = env_str("VIB_SECURITY_CONTACT", "security@vib.example.nl")
SECURITY_POLICY_URL = env_str(
    "VIB_SECURITY_POLICY_URL", "https://github.com/vib-platform/vib/blob/main/SECURITY.md"
)

# --- logging -------------------------------------------------------------------------------
_LOG_FORMAT = env_str("VIB_LOG_FORMAT", "plain")
if _LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("VIB_LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "vib.operations.jsonlog.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "vib.operations.jsonlog.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("VIB_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default gives "django" a second console handler in DEBUG, so every line
        # of a django.* logger (the worker's task lines under `make run`) was printed twice,
        # once without time and level; configured here, it only passes its records to root.
        "django": {"level": "INFO"},
        # The request loggers would write client addresses of anonymous reporters: never.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "vib.request": {"level": "INFO" if _LOG_FORMAT == "json" else "WARNING"},
        # Lock-out bookkeeping is not news.
        "axes": {"level": "WARNING"},
        # The PDF's renderer narrates each step and each font subset at INFO; the report's own
        # progress bar says how far it is, and its warnings still come through.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
