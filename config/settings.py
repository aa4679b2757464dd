"""The one settings file: every knob is an environment variable, documented in docs/configuration.md.

A bad value fails at start-up with a message naming the variable (ImproperlyConfigured), never later.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

# One BLAS thread per process, set before numpy is first imported: a request is one thread's work, and OpenBLAS's
# own threads spin on the other cores after every matrix product — twice a search's CPU for the same wall time
# (docs/search.md, "One BLAS thread"). An operator may still set these for a training run.
for _blas in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_blas, "1")

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.utils.csp import CSP  # noqa: E402

from zhifa.common.proxies import parse_trusted_proxies  # noqa: E402
from zhifa.common.ratelimits import parse_rate_rules  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or os.environ.get("ZHIFA_TESTING") == "1"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 不是整数，请改为整数（例如 {default}）。") from None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 不是布尔值，请写 true 或 false。")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Parse DATABASE_URL (postgres://user:pass@host:port/name or sqlite:///path)."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "zhifa.common.postgresql",  # Django's, with a health check without a round trip
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("ZHIFA_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": env_str("ZHIFA_TEST_DB_NAME", "") or None},
            "OPTIONS": {
                # No JIT: the app's statements are short, and a plan whose cost estimate grows with the data (the
                # practice queue's new questions pass jit_above_cost from about 2,500 questions) was compiled on
                # every call: 0.6 s for a 2 ms query. Side by side on 10M records the compliance report was
                # unchanged (361 vs 360 ms).
                "options": "-c jit=off",
                # Server-side binding, and with it prepared statements: a statement run prepare_threshold times on
                # a connection is prepared (an exam autosave: PostgreSQL CPU 1.3 → 0.7 ms, app CPU −15 %;
                # docs/performance.md). The protocol allows at most 65,535 parameters a statement, so province-wide
                # code never passes a Python list of 100,000 ids as an IN list: a subquery, or `__in_array` (one
                # array parameter, zhifa/common/lookups.py); Django batches bulk_create/bulk_update to the limit.
                "server_side_binding": env_bool("ZHIFA_DB_SERVER_SIDE_BINDING", True),
                "prepare_threshold": env_int("ZHIFA_DB_PREPARE_THRESHOLD", 5),
            },
        }
    if parsed.scheme == "sqlite":
        return sqlite_database(
            Path(parsed.path) if parsed.path not in {"", "/"} else BASE_DIR / "var" / "zhifa.sqlite3"
        )
    raise ImproperlyConfigured(f"DATABASE_URL 的协议 {parsed.scheme!r} 不受支持，请使用 postgres:// 或 sqlite:///。")


def sqlite_database(path: Path) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids "database is locked" upgrades mid-transaction.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Opening a SQLite connection (and its PRAGMAs) costs more than a small request: keep it per thread.
        "CONN_MAX_AGE": env_int("ZHIFA_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        # Tests use a file too, not Django's in-memory default: with an in-memory database the live server's threads
        # share one connection, and a browser fetching a video and its poster at once broke it (CI, 2026-11-28).
        # One file per test process, in /tmp: two test runs in one checkout (a developer's and CI's) never meet.
        "TEST": {"NAME": str(Path("/tmp") / f"zhifa-test-{os.getpid()}-{path.name}")},
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def load_env_file(path: Path) -> None:
    """Set the variables of a local env file (NAME=value lines) that the environment does not set already.

    `make demo` writes var/env (git-ignored) with this checkout's generated keys, so that the README's commands
    (`.venv/bin/python manage.py import_laws …`) run as written; production sets its variables in the service's
    environment, and without ZHIFA_SECRET_KEY there the start fails (below). An environment that sets
    ZHIFA_SECRET_KEY itself (a deployment, `check --deploy`) ignores the file; tests never read it.
    """
    if not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ImproperlyConfigured(
                f"{path} 第{number}行应为“变量名=值”；请改正，或删除该文件后重新运行 make demo。"
            )
        os.environ.setdefault(name.strip(), value.strip())


if not TESTING and not os.environ.get("ZHIFA_SECRET_KEY"):
    load_env_file(Path(os.environ.get("ZHIFA_ENV_FILE") or BASE_DIR / "var" / "env"))

DEBUG = env_bool("ZHIFA_DEBUG", False)
SECRET_KEY = env_str("ZHIFA_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "缺少 ZHIFA_SECRET_KEY：生产环境必须设置一个随机的长字符串（见 .env.example 与 docs/configuration.md）；"
            "在本机试用请先运行 make demo，它会生成 var/env。"
        )

# Key for personal data (ID-card and phone numbers). 32 bytes, hex. The demo and tests derive one from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env_str("ZHIFA_FIELD_ENCRYPTION_KEY", "")
if FIELD_ENCRYPTION_KEY and len(FIELD_ENCRYPTION_KEY) != 64:
    raise ImproperlyConfigured("ZHIFA_FIELD_ENCRYPTION_KEY 必须是 64 个十六进制字符（32 字节）。")
CRYPTO_PROVIDER = env_str("ZHIFA_CRYPTO_PROVIDER", "zhifa.common.crypto_provider.Sm4GcmProvider")

ALLOWED_HOSTS = env_list("ZHIFA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ZHIFA_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ZHIFA_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "zhifa.common",
    "zhifa.people",
    "zhifa.notices",
    "zhifa.laws",
    "zhifa.records",
    "zhifa.questions",
    "zhifa.courses",
    "zhifa.exams",
    "zhifa.cases",
    "zhifa.practice",
    "zhifa.classes",
    "zhifa.plans",
    "zhifa.certificates",
    "zhifa.surveys",
    "zhifa.evaluation",
    "zhifa.reports",
    "zhifa.assistant",
    "zhifa.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhifa.common.middleware.IdleTimeoutMiddleware",
    "zhifa.common.middleware.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhifa" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhifa.portal.context_processors.navigation",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", "")
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else sqlite_database(Path(env_str("ZHIFA_SQLITE_PATH", str(BASE_DIR / "var" / "zhifa.sqlite3"))))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Short socket timeouts: a Redis that hangs costs a request at most about a second, then the platform degrades
    # as when Redis is down (zhifa/common/cache.py says how each use degrades).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Sessions read from Redis, written through to the database: no session query on a hot path like heartbeats;
    # while Redis is down they are read from the database (zhifa/common/sessions.py).
    SESSION_ENGINE = "zhifa.common.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zhifa"}}
    SESSION_ENGINE = "zhifa.common.sessions_db"  # the database's sessions, loaded by row_get

TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING or env_bool("ZHIFA_TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend"
    }
}

# Notices on outside channels (docs/notices.md): the sender class of each channel, by dotted path; e-mail goes
# through Django's e-mail backend below, the others are logged until a real adapter is configured.
NOTICES_SENDERS = {
    "email": env_str("ZHIFA_NOTICES_EMAIL_SENDER", "zhifa.notices.senders.EmailSender"),
    "sms": env_str("ZHIFA_NOTICES_SMS_SENDER", "zhifa.notices.senders.LoggingSender"),
    "dingtalk": env_str("ZHIFA_NOTICES_DINGTALK_SENDER", "zhifa.notices.senders.LoggingSender"),
    "wecom": env_str("ZHIFA_NOTICES_WECOM_SENDER", "zhifa.notices.senders.LoggingSender"),
}
_EMAIL_BACKEND = env_str("ZHIFA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": {
            "host": env_str("ZHIFA_EMAIL_HOST", "localhost"),
            "port": env_int("ZHIFA_EMAIL_PORT", 25),
            "username": env_str("ZHIFA_EMAIL_HOST_USER", ""),
            "password": env_str("ZHIFA_EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("ZHIFA_EMAIL_USE_TLS", False),
            "timeout": 10,
        }
        if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("ZHIFA_DEFAULT_FROM_EMAIL", "智慧执法学院 <noreply@localhost>")

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhifa.common.login_audit.PasswordSprayBackend",  # one password across many user names (docs/security.md)
    "zhifa.people.auth_backends.UsernameOrCertificateBackend",
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "people:login"

PASSWORD_MIN_LENGTH = env_int("ZHIFA_PASSWORD_MIN_LENGTH", 8)
PASSWORD_MIN_CLASSES = env_int("ZHIFA_PASSWORD_MIN_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("ZHIFA_PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhifa.people.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zhifa.common.passwords.PasswordHistoryValidator"},
]
PASSWORD_HISTORY_COUNT = env_int("ZHIFA_PASSWORD_HISTORY", 5)  # besides the current one
if not 1 <= PASSWORD_HISTORY_COUNT <= 24:
    raise ImproperlyConfigured("ZHIFA_PASSWORD_HISTORY 应在 1 到 24 之间（不得重复使用的历史密码个数，默认 5）。")
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.ScryptPasswordHasher"]
)

SESSION_IDLE_TIMEOUT_SECONDS = env_int("ZHIFA_SESSION_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ZHIFA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # pages carry the token (hx-headers on <body>, a meta tag); no script reads the cookie

AXES_FAILURE_LIMIT = env_int("ZHIFA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ZHIFA_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_ENABLED = env_bool("ZHIFA_AXES_ENABLED", True)
AXES_CLIENT_IP_CALLABLE = "zhifa.common.middleware.client_ip"  # proxy headers only from ZHIFA_TRUSTED_PROXIES
LOGIN_SPRAY_LIMIT = env_int("ZHIFA_LOGIN_SPRAY_LIMIT", 5)  # user names one password may fail for, per client
if not 2 <= LOGIN_SPRAY_LIMIT <= 50:
    raise ImproperlyConfigured("ZHIFA_LOGIN_SPRAY_LIMIT 应在 2 到 50 之间（同一密码可尝试的不同账号数，默认 5）。")
# The reverse proxies whose X-Real-IP / X-Forwarded-For are believed (audit IPs, lockouts, rate limits).
TRUSTED_PROXIES = env_list("ZHIFA_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
TRUSTED_PROXY_NETWORKS = parse_trusted_proxies(TRUSTED_PROXIES)
AXES_ENABLE_ADMIN = False  # 三员分立: lockouts are the security administrator's (/security/manage/), not Django admin's

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"  # as CSP frame-ancestors: none; the lesson PDF view allows its own page per view
SECURE_CONTENT_TYPE_NOSNIFF = True

# One language: the UI is Chinese (DESIGN.md), so Django's own messages are too, whatever the browser asks for.
# No LocaleMiddleware: it would pick English for an English browser and leave pages half translated, and it
# cost every request 0.11 ms (the autosave's budget is ≈ 2 ms).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ZHIFA_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("ZHIFA_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("ZHIFA_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

if env_str("ZHIFA_S3_BUCKET", ""):
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("ZHIFA_S3_BUCKET", ""),
                "endpoint_url": env_str("ZHIFA_S3_ENDPOINT_URL", "") or None,
                "access_key": env_str("ZHIFA_S3_ACCESS_KEY", ""),
                "secret_key": env_str("ZHIFA_S3_SECRET_KEY", ""),
                "region_name": env_str("ZHIFA_S3_REGION", "") or None,
                # MinIO and most on-premises stores address buckets by path, not by host name.
                "addressing_style": env_str("ZHIFA_S3_ADDRESSING_STYLE", "path"),
                "file_overwrite": False,  # as on local disk: a second file of the same name gets a new name
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
else:  # local disk: random names, no public URL; files go out through checked views (zhifa/common/files.py)
    STORAGES = {
        "default": {"BACKEND": "zhifa.common.files.PrivateFileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
FILE_LINK_MAX_AGE = env_int("ZHIFA_FILE_LINK_HOURS", 8) * 3600  # a file link works for its user this long

# Courses: video tracking and uploads (docs/courses.md).
COURSES_HEARTBEAT_SECONDS = env_int("ZHIFA_COURSES_HEARTBEAT_SECONDS", 12)
COURSES_COMPLETION_SHARE = env_str("ZHIFA_COURSES_COMPLETION_SHARE", "0.95")
COURSES_RATE_CAP = float(env_str("ZHIFA_COURSES_RATE_CAP", "2.0"))
COURSES_VIDEO_MAX_BYTES = env_int("ZHIFA_COURSES_VIDEO_MAX_MB", 4096) * 1024 * 1024
COURSES_UPLOAD_CHUNK_BYTES = env_int("ZHIFA_COURSES_UPLOAD_CHUNK_KB", 4096) * 1024
COURSES_X_ACCEL_PREFIX = env_str("ZHIFA_COURSES_X_ACCEL_PREFIX", "")
# nginx's internal location for every other uploaded file (deploy/nginx/zhifa-app.conf: /protected-media/).
MEDIA_X_ACCEL_PREFIX = env_str("ZHIFA_MEDIA_X_ACCEL_PREFIX", "") or COURSES_X_ACCEL_PREFIX
# Raw heartbeats older than this are compacted into their watch session and deleted (`manage.py purge_heartbeats`);
# progress and hours never depend on them. Read by the data-protection retention register (#19).
HEARTBEAT_RETENTION_DAYS = env_int("ZHIFA_HEARTBEAT_RETENTION_DAYS", 180)
if HEARTBEAT_RETENTION_DAYS < 30:
    raise ImproperlyConfigured(
        "ZHIFA_HEARTBEAT_RETENTION_DAYS 不得少于 30（心跳原始记录至少保留 30 天，供核查学时争议）。"
    )
# Raw practice answers older than this are deleted (`manage.py purge_review_logs`); each was counted into its day,
# card and mistakes book when it arrived. Also the window in which a phone's resend is recognised as one.
PRACTICE_REVIEW_LOG_RETENTION_DAYS = env_int("ZHIFA_PRACTICE_REVIEW_LOG_RETENTION_DAYS", 180)
if PRACTICE_REVIEW_LOG_RETENTION_DAYS < 30:
    raise ImproperlyConfigured(
        "ZHIFA_PRACTICE_REVIEW_LOG_RETENTION_DAYS 不得少于 30"
        "（练习作答原始记录至少保留 30 天，手机离线重发才不会重复计数）。"
    )
if not 0 < float(COURSES_COMPLETION_SHARE) <= 1:
    raise ImproperlyConfigured("ZHIFA_COURSES_COMPLETION_SHARE 应为 0 到 1 之间的小数（例如 0.95）。")
if not 1 <= COURSES_RATE_CAP <= 4:
    raise ImproperlyConfigured("ZHIFA_COURSES_RATE_CAP 应在 1 到 4 之间（播放倍速上限，例如 2.0）。")

# Public surveys (docs/surveys.md): responses one client (keyed IP) may send per hour; responses counted per officer
# or unit per burst window (more are held for review); the minimum seconds between serving the form and its POST.
SURVEYS_CLIENT_LIMIT_PER_HOUR = env_int("ZHIFA_SURVEYS_CLIENT_LIMIT_PER_HOUR", 30)
SURVEYS_BURST_ALLOWANCE = env_int("ZHIFA_SURVEYS_BURST_ALLOWANCE", 20)
SURVEYS_BURST_WINDOW_SECONDS = env_int("ZHIFA_SURVEYS_BURST_WINDOW_SECONDS", 600)
SURVEYS_MIN_FILL_SECONDS = env_int("ZHIFA_SURVEYS_MIN_FILL_SECONDS", 3)
if SURVEYS_CLIENT_LIMIT_PER_HOUR < 1 or SURVEYS_BURST_ALLOWANCE < 1 or not 0 <= SURVEYS_MIN_FILL_SECONDS <= 60:
    raise ImproperlyConfigured(
        "ZHIFA_SURVEYS_CLIENT_LIMIT_PER_HOUR 与 ZHIFA_SURVEYS_BURST_ALLOWANCE 应为正整数，"
        "ZHIFA_SURVEYS_MIN_FILL_SECONDS 应在 0 到 60 之间（默认 30、20、3）。"
    )
if not 60 <= SURVEYS_BURST_WINDOW_SECONDS <= 86400:
    raise ImproperlyConfigured("ZHIFA_SURVEYS_BURST_WINDOW_SECONDS 应在 60 到 86400 秒之间（默认 600，即 10 分钟）。")

# Where ../shared/data lives (tests and benchmarks only; the product never needs it).
SHARED_DATA_DIR = Path(env_str("ZHIFA_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")))

# The law search's learned re-ranker (versions under this directory, docs/search.md) and the assistant's optional
# OpenAI-compatible model endpoint (docs/assistant.md): without ZHIFA_LLM_URL the assistant shows articles only.
ZHIFA_SEARCH_RANKER = Path(env_str("ZHIFA_SEARCH_RANKER", str(BASE_DIR / "var" / "search" / "ranker")))
# The first stage's learned prior (train_search writes it beside the re-ranker's own copy; docs/search.md).
ZHIFA_SEARCH_PRIOR = Path(env_str("ZHIFA_SEARCH_PRIOR", str(BASE_DIR / "var" / "search" / "prior.npz")))
# The law search's index: a local directory on each app server, rebuilt from the database when missing (docs/search.md).
ZHIFA_SEARCH_INDEX = Path(env_str("ZHIFA_SEARCH_INDEX", str(BASE_DIR / "var" / "search" / "index")))
LLM_URL = env_str("ZHIFA_LLM_URL", "")
LLM_MODEL = env_str("ZHIFA_LLM_MODEL", "")
LLM_KEY = env_str("ZHIFA_LLM_KEY", "")
LLM_TIMEOUT_SECONDS = env_int("ZHIFA_LLM_TIMEOUT_SECONDS", 20)
if LLM_URL and (not LLM_URL.startswith(("http://", "https://")) or not LLM_MODEL):
    raise ImproperlyConfigured(
        "ZHIFA_LLM_URL 应为 http(s):// 地址（如 http://10.0.0.5:8000/v1），且须同时设置 ZHIFA_LLM_MODEL。"
    )
if not 1 <= LLM_TIMEOUT_SECONDS <= 300:
    raise ImproperlyConfigured("ZHIFA_LLM_TIMEOUT_SECONDS 应在 1 到 300 之间（秒）。")

# Spreadsheet caps: imports refuse bigger files with a clear message.
SPREADSHEET_MAX_BYTES = env_int("ZHIFA_SPREADSHEET_MAX_MB", 20) * 1024 * 1024
SPREADSHEET_MAX_ROWS = env_int("ZHIFA_SPREADSHEET_MAX_ROWS", 50_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ZHIFA_LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"level": "ERROR" if TESTING else "WARNING"}},
}

# Production: read replica, rate limits, metrics, object storage checks (docs/operations.md, docs/configuration.md).
DB_REPLICA_URL = env_str("ZHIFA_DB_REPLICA_URL", "")
REPLICA_READ_PATHS = env_list("ZHIFA_REPLICA_READ_PATHS", ["/reports/", "/evaluation/", "/records/compliance/"])
if DB_REPLICA_URL:
    if not DB_REPLICA_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("ZHIFA_DB_REPLICA_URL 必须是 postgres:// 地址（PostgreSQL 流复制备库）。")
    DATABASES["replica"] = database_from_url(DB_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["zhifa.common.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "zhifa.common.dbrouter.ReplicaReadsMiddleware",
    )
# "METHOD PATH-PREFIX LIMIT/SECONDS" rules, counted per client IP in the cache (Redis with several app servers).
RATE_LIMITS = env_list("ZHIFA_RATE_LIMITS", [] if TESTING else ["POST /accounts/login/ 30/60"])
parse_rate_rules(RATE_LIMITS)  # a bad rule stops the start here, not at the first request
METRICS_ENABLED = env_bool("ZHIFA_METRICS", True)
METRICS_ALLOWED_IPS = env_list("ZHIFA_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
MIDDLEWARE.insert(1, "zhifa.common.ops.RateLimitMiddleware")
if METRICS_ENABLED:
    MIDDLEWARE.insert(0, "zhifa.common.ops.MetricsMiddleware")

# Security (docs/security.md): second factor, single sign-on, audit retention, HTTPS behind nginx.
INSTALLED_APPS += ["mozilla_django_oidc", "django_cas_ng", "zhifa.security"]
OTP_REQUIRED_FOR_ADMINS = env_bool("ZHIFA_OTP_REQUIRED", not (DEBUG or TESTING))
OTP_TOTP_ISSUER = env_str("ZHIFA_OTP_ISSUER", "智慧执法学院")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1, "zhifa.security.middleware.SecondFactorMiddleware"
)
AUDIT_RETENTION_DAYS = env_int("ZHIFA_AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("ZHIFA_AUDIT_RETENTION_DAYS 不得少于 180（等保三级：审计记录至少保存 6 个月）。")
# Retention of personal records (PIPL art. 19, 47): the register is zhifa/security/retention.py, the nightly purge
# `manage.py purge_expired`, the processing register docs/data-protection.md. Heartbeats: HEARTBEAT_RETENTION_DAYS.
RETENTION_DAYS = {
    "login_records": env_int("ZHIFA_RETENTION_LOGIN_RECORDS_DAYS", 180),
    "departed_officers": env_int("ZHIFA_RETENTION_DEPARTED_OFFICER_DAYS", 3 * 365),
}
if RETENTION_DAYS["login_records"] < 180:
    raise ImproperlyConfigured(
        "ZHIFA_RETENTION_LOGIN_RECORDS_DAYS 不得少于 180（网络安全法：网络日志至少留存六个月）。"
    )
if RETENTION_DAYS["departed_officers"] < 365:
    raise ImproperlyConfigured(
        "ZHIFA_RETENTION_DEPARTED_OFFICER_DAYS 不得少于 365（离职人员的证件号、手机号至少保留一年，供核查与复议）。"
    )
SSO_MATCH = env_str("ZHIFA_SSO_MATCH", "certificate")
if SSO_MATCH not in {"certificate", "username"}:
    raise ImproperlyConfigured("ZHIFA_SSO_MATCH 只能是 certificate（按执法证号匹配）或 username（按用户名匹配）。")
OIDC_RP_CLIENT_ID = env_str("ZHIFA_OIDC_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("ZHIFA_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("ZHIFA_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("ZHIFA_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("ZHIFA_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("ZHIFA_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("ZHIFA_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("ZHIFA_OIDC_SCOPES", "openid profile")
OIDC_MATCH_CLAIM = env_str("ZHIFA_OIDC_MATCH_CLAIM", "certificate_number")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "security:oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "/security/sso/failed/"
if OIDC_ENABLED and not all([OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_JWKS_ENDPOINT]):
    raise ImproperlyConfigured(
        "已设置 ZHIFA_OIDC_CLIENT_ID，但缺少 ZHIFA_OIDC_AUTHORIZATION_ENDPOINT、ZHIFA_OIDC_TOKEN_ENDPOINT 或 "
        "ZHIFA_OIDC_JWKS_ENDPOINT：请按省统一身份认证平台提供的地址填写。"
    )
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("zhifa.security.sso.OfficerOIDCBackend")
CAS_SERVER_URL = env_str("ZHIFA_CAS_SERVER_URL", "")
CAS_ENABLED = bool(CAS_SERVER_URL)
CAS_VERSION = env_str("ZHIFA_CAS_VERSION", "3")
CAS_MATCH_ATTRIBUTE = env_str("ZHIFA_CAS_MATCH_ATTRIBUTE", "")
CAS_CREATE_USER = False
CAS_REDIRECT_URL = "/"
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
if CAS_VERSION not in {"2", "3"}:
    raise ImproperlyConfigured("ZHIFA_CAS_VERSION 只能是 2 或 3。")
if CAS_ENABLED:
    AUTHENTICATION_BACKENDS.append("zhifa.security.sso.OfficerCASBackend")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SESSION_COOKIE_SECURE else None
SECURE_SSL_REDIRECT = env_bool("ZHIFA_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes and scrapes reach app servers directly
SECURE_HSTS_SECONDS = env_int("ZHIFA_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
SECURE_REFERRER_POLICY = "same-origin"
# The HSTS preload list is for public internet domains; a government intranet host name has no use for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
