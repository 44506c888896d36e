"""Settings, all from the environment, with safe defaults for a laptop.

SANDALI_ENV=production turns on the refusals: no default secret key, no DEBUG, no mail left
undelivered in files. DATABASE_URL selects the database (default: SQLite under var/), EMAIL_URL
where mail goes (sandali/email_url.py; default: .eml files under var/mail/).
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from sandali.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("SANDALI_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")

# The Ed25519 seed that signs tickets' QR codes (core/signing.py; `python -m core.signing`
# makes one). Development keeps its own under var/.
SANDALI_TICKET_SIGNING_KEY = os.environ.get("SANDALI_TICKET_SIGNING_KEY", "")

if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SANDALI_ENV=production needs DJANGO_SECRET_KEY.")
    if not SANDALI_TICKET_SIGNING_KEY:
        raise ImproperlyConfigured(
            "SANDALI_ENV=production needs SANDALI_TICKET_SIGNING_KEY (python -m core.signing)."
        )
    if DEBUG:
        raise ImproperlyConfigured("SANDALI_ENV=production refuses DJANGO_DEBUG=1.")
    if not os.environ.get("EMAIL_URL", "").strip():
        raise ImproperlyConfigured(
            "SANDALI_ENV=production needs EMAIL_URL (smtp://user:password@host:587, or "
            "smtps://...:465): buyers' tickets are mailed."
        )
elif not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "catalog",
    "reservations",
    "orders",
    "payments",
    "delivery",
    "checkin",
    "backoffice",
    "api",
    "web",
    "live",
    "ops",
]

MIDDLEWARE = [
    "ops.middleware.RequestLatency",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ops.middleware.ContentSecurityPolicy",  # django-csp's, skipping the paths it exempts
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "api.middleware.ApiRequestGuard",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ops.middleware.DatabaseUnavailable",
]

ROOT_URLCONF = "sandali.urls"
ASGI_APPLICATION = "sandali.asgi.application"
WSGI_APPLICATION = "sandali.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'sandali.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A health check is one more round trip on every request; without it a connection
        # that broke (database restart) fails one request and is then replaced.
        conn_health_checks=env_bool("DATABASE_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding lets psycopg prepare the statements a connection repeats, so
    # PostgreSQL parses and plans each hot statement once per connection, not per request.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 2,
        # While the database is down, fail a request in seconds (503) rather than hang it.
        "connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction begins, so two holds never both
    # read a seat as free; WAL lets readers go on while one writer works.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that server processes started by tests share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fa", "فارسی")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("SANDALI_TIME_ZONE", "Asia/Tehran")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cacheable forever) need collectstatic's manifest: production only.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Background work is recorded as tasks in the database (django-tasks, Django's own task API):
# e-mail in the transaction that makes it due (queue "default"), the sweeper's work every few
# seconds by the workers' scheduler (queue "periodic"; core/tasks.py). Workers run them: a
# thread of the local run's server process, in production `manage.py run_worker` processes.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "periodic"],
    }
}

# E-mail: recorded in the transaction that makes it due (orders/outbox.py), sent by the task
# worker. Without EMAIL_URL (development only) each mail is written to var/mail/ as a file.
# EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
# EMAIL_USE_SSL, EMAIL_TIMEOUT, EMAIL_SSL_CERTFILE, EMAIL_SSL_KEYFILE, EMAIL_FILE_PATH:
globals().update(
    parse_email_url(
        os.environ.get("EMAIL_URL", "").strip() or f"file://{BASE_DIR}/var/mail"
    ).django_settings()
)
DEFAULT_FROM_EMAIL = os.environ.get("SANDALI_MAIL_FROM", "Sandali <tickets@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Pub/sub and cache: in-process by default; REDIS_URL shares them between app processes.
REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis that does not answer (down, black-holed) fails a call within this many seconds.
SANDALI_REDIS_TIMEOUT_SECONDS = float(os.environ.get("SANDALI_REDIS_TIMEOUT_SECONDS", "0.5"))
if REDIS_URL:
    _redis_timeouts = {
        "socket_connect_timeout": SANDALI_REDIS_TIMEOUT_SECONDS,
        "socket_timeout": SANDALI_REDIS_TIMEOUT_SECONDS,
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, **_redis_timeouts}]},
        }
    }
    # While Redis cannot be reached, each process caches in its own memory (ops/redis_outage.py).
    CACHES = {
        "default": {
            "BACKEND": "core.redis_outage.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _redis_timeouts,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# An API request body larger than this is refused (413); a full hold request is far smaller.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("SANDALI_MAX_BODY_BYTES", str(256 * 1024)))
# The designer saves a whole venue layout in one request (about 80 bytes a seat): staff only,
# read by its own view up to this size (ops/designer.py).
SANDALI_MAX_LAYOUT_BYTES = int(os.environ.get("SANDALI_MAX_LAYOUT_BYTES", str(16 * 1024 * 1024)))

# The pages load only their own scripts, styles and sockets. The API answers JSON and the
# admin and API docs bring their own scripts, so they are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Sandali's own settings.
# Where buyers reach this site: the base of the links in e-mails. Production defaults to
# https:// and the first of DJANGO_ALLOWED_HOSTS; the local run to its own address.
SANDALI_PUBLIC_URL = os.environ.get("SANDALI_PUBLIC_URL", "") or (
    f"https://{ALLOWED_HOSTS[0]}"
    if PRODUCTION and ALLOWED_HOSTS
    else f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
)
SANDALI_METRICS_TOKEN = os.environ.get("SANDALI_METRICS_TOKEN", "")
# Abuse limits, "COUNT/SECONDS" per client address (or per hold); empty turns one off.
SANDALI_RATE_LIMITS = {
    "holds": os.environ.get("SANDALI_RATE_HOLDS", "60/60"),
    "checkouts": os.environ.get("SANDALI_RATE_CHECKOUTS", "20/60"),
    "checkouts_per_hold": os.environ.get("SANDALI_RATE_CHECKOUTS_PER_HOLD", "10/60"),
    # Opening ticket links (/orders/open): a link secret cannot be guessed, but nobody may try.
    "ticket_links": os.environ.get("SANDALI_RATE_TICKET_LINKS", "20/600"),
    # "Send me my tickets again": asks per client address, and mails per order.
    "ticket_requests": os.environ.get("SANDALI_RATE_TICKET_REQUESTS", "10/3600"),
    "ticket_requests_per_order": os.environ.get("SANDALI_RATE_TICKET_REQUESTS_PER_ORDER", "3/3600"),
    # Places taken in waiting rooms: each place is a pass with its own limits, so one client
    # may not take places without end; generous, as a carrier's address is shared by many.
    "queue_joins": os.environ.get("SANDALI_RATE_QUEUE_JOINS", "120/60"),
    # Joining a waiting list (the page and the API): an address may not fill a list.
    "waiting_list_joins": os.environ.get("SANDALI_RATE_WAITING_LIST_JOINS", "20/600"),
}
# Seats one client address may hold at once, across all its holds (0: no cap).
SANDALI_MAX_SEATS_PER_CLIENT = int(os.environ.get("SANDALI_MAX_SEATS_PER_CLIENT", "40"))
# The waiting room (reservations/waiting_room.py). A performance's admission rate of 0 ("auto")
# starts at this many buyers a minute: about half the orders a minute measured on a 2-core
# server (bench/run: 120 orders/s), so holds stay fast even if every admitted buyer buys at
# once; behind a proxy that stamps arrivals it then follows what the system sustains.
SANDALI_WAITING_ROOM_RATE = int(os.environ.get("SANDALI_WAITING_ROOM_RATE", "3600"))
# An "auto" rate (0) slows down while more than 1 in 20 of the admitted buyers' hold requests
# wait longer than this for the app (reservations/admission_rate.py; needs the proxy's arrival
# stamp, SANDALI_ARRIVAL_HEADER).
SANDALI_WAITING_ROOM_WAIT_TARGET_MS = int(
    os.environ.get("SANDALI_WAITING_ROOM_WAIT_TARGET_MS", "50")
)
# How long a pass lets its buyer hold seats, and how many hold requests (new holds and added
# seats) it allows per seat of the performance's maximum order.
SANDALI_WAITING_ROOM_PASS_MINUTES = int(os.environ.get("SANDALI_WAITING_ROOM_PASS_MINUTES", "30"))
SANDALI_WAITING_ROOM_HOLDS_PER_SEAT = int(
    os.environ.get("SANDALI_WAITING_ROOM_HOLDS_PER_SEAT", "3")
)
# Queue joins and polls answered by the lean path in front of Django (api/queue_lean.py); off:
# Django answers them (the same answers, at about twice the CPU: docs/benchmarks.md, "Surge").
SANDALI_QUEUE_LEAN_PATH = env_bool("SANDALI_QUEUE_LEAN_PATH", True)
# The seat map's reloads answered by the lean path in front of Django (api/map_lean.py); off:
# Django answers them (the same answers: docs/benchmarks.md, "The map's reload in front of Django").
SANDALI_MAP_LEAN_PATH = env_bool("SANDALI_MAP_LEAN_PATH", True)
# API requests skip the pages' middleware (sandali/api_handler.py); off: every request runs
# all of MIDDLEWARE (the same answers: docs/benchmarks.md, "The API's own middleware").
SANDALI_API_OWN_MIDDLEWARE = env_bool("SANDALI_API_OWN_MIDDLEWARE", True)
# Open live seat-map sockets one client address may keep in one app process (0: no cap).
SANDALI_MAX_SOCKETS_PER_CLIENT = int(os.environ.get("SANDALI_MAX_SOCKETS_PER_CLIENT", "20"))
# Other sites whose pages may change state through the API and open sockets (comma-separated
# origins such as https://box-office.example.org); the site's own origin is always allowed,
# any other gets 403 origin_not_allowed (API) or a refused socket.
SANDALI_ALLOWED_ORIGINS = env_list("SANDALI_ALLOWED_ORIGINS", "")
# How many proxies in front of Sandali append to X-Forwarded-For (0: use REMOTE_ADDR).
SANDALI_TRUSTED_PROXIES = int(os.environ.get("SANDALI_TRUSTED_PROXIES", "0"))
# The header in which the proxy in front stamps when it received each request (nginx:
# X-Request-Start, deploy/nginx/sandali.conf): the waiting room places buyers by it
# (core/arrival.py). Empty: not believed (a client could set it); set it only behind a proxy
# that replaces whatever the client sent.
SANDALI_ARRIVAL_HEADER = os.environ.get("SANDALI_ARRIVAL_HEADER", "")
SANDALI_METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in env_list("SANDALI_METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
]
# The payment provider: a dotted path, or a short name for the built-in ones.
PAYMENT_PROVIDER_NAMES = {
    "test": "payments.providers.TestPaymentProvider",
    "stripe": "payments.stripe_provider.StripeProvider",
    "zarinpal": "payments.zarinpal_provider.ZarinpalProvider",
}
SANDALI_PAYMENT_PROVIDER = os.environ.get("SANDALI_PAYMENT_PROVIDER", "test")
SANDALI_PAYMENT_PROVIDER = PAYMENT_PROVIDER_NAMES.get(
    SANDALI_PAYMENT_PROVIDER, SANDALI_PAYMENT_PROVIDER
)
# Stripe (payments/stripe_provider.py): the secret API key, the webhook endpoint's signing
# secret, and (tests only) another base URL for its API.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# ZarinPal (payments/zarinpal_provider.py): the gateway's 36-character merchant id, and (tests
# only) another base URL for its API and page instead of https://payment.zarinpal.com.
ZARINPAL_MERCHANT_ID = os.environ.get("ZARINPAL_MERCHANT_ID", "")
ZARINPAL_API_BASE = os.environ.get("ZARINPAL_API_BASE", "")
# A payment attempt still pending this long was cut short (its process died, or the provider
# did not answer): the sweeper asks the provider what became of it and finishes or voids it.
SANDALI_PAYMENT_RECOVERY_SECONDS = float(os.environ.get("SANDALI_PAYMENT_RECOVERY_SECONDS", "30"))
# The test provider's answer delay, after it has recorded the charge (the fault test's window).
SANDALI_TEST_PAYMENT_SECONDS = float(os.environ.get("SANDALI_TEST_PAYMENT_SECONDS", "0"))
SANDALI_SWEEP_INTERVAL_SECONDS = float(os.environ.get("SANDALI_SWEEP_INTERVAL_SECONDS", "1"))
# The buyer's page pays at the provider's hosted page (orders/redirect.py) when the provider
# offers one; off: the page charges synchronously, as the API does.
SANDALI_PAYMENT_REDIRECT = os.environ.get("SANDALI_PAYMENT_REDIRECT", "1") == "1"
# The test provider's webhooks: signed with this secret, and sent unless switched off.
SANDALI_TEST_PAYMENT_WEBHOOK_SECRET = os.environ.get(
    "SANDALI_TEST_PAYMENT_WEBHOOK_SECRET", f"test-webhooks:{SECRET_KEY}"
)
SANDALI_TEST_PAYMENT_WEBHOOKS = os.environ.get("SANDALI_TEST_PAYMENT_WEBHOOKS", "1") == "1"

# Waiting list: how long seats offered to an entry are held for it (orders/waiting_list.py).
SANDALI_WAITING_LIST_OFFER_MINUTES = float(
    os.environ.get("SANDALI_WAITING_LIST_OFFER_MINUTES", "30")
)
# How long a computed capacity or seat-map snapshot may be served again (0: never cached).
SANDALI_SNAPSHOT_SECONDS = float(os.environ.get("SANDALI_SNAPSHOT_SECONDS", "1"))
# What writes an order's mail: a dotted path, as for the payment provider, so that the outbox
# (orders/outbox.py) never imports the layer above it that renders mail (delivery/mail.py).
SANDALI_MAIL_COMPOSER = os.environ.get("SANDALI_MAIL_COMPOSER", "delivery.mail.compose_order_mail")
# A mail that could not be sent is tried again after about 5 s, 10 s, 20 s, ... (with jitter),
# never more than SANDALI_MAIL_RETRY_MAX_SECONDS apart, until it is sent.
SANDALI_MAIL_RETRY_SECONDS = float(os.environ.get("SANDALI_MAIL_RETRY_SECONDS", "5"))
SANDALI_MAIL_RETRY_MAX_SECONDS = float(os.environ.get("SANDALI_MAIL_RETRY_MAX_SECONDS", "900"))
# A worker that claimed a mail has this long to send it; then another may (it is taken to have
# died), so keep it well above EMAIL_URL's timeout.
SANDALI_MAIL_LEASE_SECONDS = float(os.environ.get("SANDALI_MAIL_LEASE_SECONDS", "300"))
# The sweeper enqueues again a mail this long overdue whose task is gone (lost, or its worker
# died while running it).
SANDALI_MAIL_RESCUE_SECONDS = float(os.environ.get("SANDALI_MAIL_RESCUE_SECONDS", "60"))

if PRODUCTION and PAYMENT_PROVIDER_NAMES["stripe"] == SANDALI_PAYMENT_PROVIDER:
    if not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
        raise ImproperlyConfigured(
            "SANDALI_ENV=production with Stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET."
        )
    if not SANDALI_PAYMENT_REDIRECT:
        raise ImproperlyConfigured(
            "Stripe takes payments only at its page: SANDALI_PAYMENT_REDIRECT=1."
        )
    if STRIPE_API_BASE:
        raise ImproperlyConfigured("SANDALI_ENV=production refuses STRIPE_API_BASE (tests only).")

if PRODUCTION and PAYMENT_PROVIDER_NAMES["zarinpal"] == SANDALI_PAYMENT_PROVIDER:
    if not ZARINPAL_MERCHANT_ID:
        raise ImproperlyConfigured(
            "SANDALI_ENV=production with ZarinPal needs ZARINPAL_MERCHANT_ID."
        )
    if not SANDALI_PAYMENT_REDIRECT:
        raise ImproperlyConfigured(
            "ZarinPal takes payments only at its page: SANDALI_PAYMENT_REDIRECT=1."
        )
    if ZARINPAL_API_BASE:  # the sandbox (sandbox.zarinpal.com) or a test server takes no money
        raise ImproperlyConfigured("SANDALI_ENV=production refuses ZARINPAL_API_BASE (tests only).")

if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SANDALI_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = int(os.environ.get("SANDALI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env_bool("SANDALI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Django writes one warning per 4xx answer: at most this many a minute per process.
        "sample_client_errors": {
            "()": "ops.logsampling.ClientErrorSampler",
            "per_minute": int(os.environ.get("SANDALI_LOG_CLIENT_ERRORS", "20")),
        },
        # The task framework logs every task's start and end; periodic ones run every second.
        "quiet_periodic_tasks": {"()": "ops.logsampling.QuietPeriodicTasks"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SANDALI_LOG_LEVEL", "INFO")},
    # Django's own loggers follow the same level.
    "loggers": {
        "django": {"level": os.environ.get("SANDALI_LOG_LEVEL", "INFO")},
        "django.request": {"filters": ["sample_client_errors"]},
        "django_tasks": {"filters": ["quiet_periodic_tasks"]},
        # WeasyPrint logs each step of every PDF at INFO: 20 lines for a 10-ticket order.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
