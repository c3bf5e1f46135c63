"""Configuration classes, fed by environment variables (every one is documented in the README)."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE_DIR = Path(os.environ.get("LIAISON_INSTANCE_DIR", BASE_DIR / "instance"))

INSECURE_SECRET_KEYS = {"", "dev", "change-me", "dev-insecure-secret-key"}


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def development_base_url() -> str:
    """Where `make run` serves (HOST, PORT): a wildcard address is reached as 127.0.0.1."""
    host = os.environ.get("HOST", "127.0.0.1").strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{os.environ.get('PORT', '5000').strip() or '5000'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-secret-key")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_INSTANCE_DIR / 'liaison.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection unused for this long is tested (one round trip) before a request gets it,
    # and replaced if the server dropped it; busy connections are not tested (app/db_events.py).
    DATABASE_IDLE_PING_SECONDS = _int("DATABASE_IDLE_PING_SECONDS", 10)
    # The site's public address (emails, calendar files and feeds). Development: follows HOST/PORT
    # (`PORT=5201 make run`) unless set; production refuses to start without it (ProductionConfig.validate).
    BASE_URL = (os.environ.get("BASE_URL") or development_base_url()).rstrip("/")
    SITE_NAME = os.environ.get("SITE_NAME", "Liaison")
    INSTANCE_DIR = str(DEFAULT_INSTANCE_DIR)
    # Where `flask backup` writes SQLite backups by default, and `flask restore` keeps the database it replaces.
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(DEFAULT_INSTANCE_DIR / "backups"))

    # Mail: MAIL_BACKEND is "file" (writes .eml under instance/mail) or "smtp".
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Liaison <no-reply@liaison.local>")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(DEFAULT_INSTANCE_DIR / "mail"))
    MAIL_SMTP_HOST = os.environ.get("MAIL_SMTP_HOST", "localhost")
    MAIL_SMTP_PORT = _int("MAIL_SMTP_PORT", 25)
    MAIL_SMTP_USERNAME = os.environ.get("MAIL_SMTP_USERNAME", "")
    MAIL_SMTP_PASSWORD = os.environ.get("MAIL_SMTP_PASSWORD", "")
    MAIL_SMTP_STARTTLS = _bool("MAIL_SMTP_STARTTLS", False)
    MAIL_SMTP_SSL = _bool("MAIL_SMTP_SSL", False)
    MAIL_SMTP_TIMEOUT = _int("MAIL_SMTP_TIMEOUT", 30)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_SMTP_CA_FILE = os.environ.get("MAIL_SMTP_CA_FILE", "")
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_BATCH_SIZE = _int("MAIL_BATCH_SIZE", 200)
    # One delivery run keeps claiming batches while there is work, for at most this long.
    MAIL_RUN_SECONDS = _int("MAIL_RUN_SECONDS", 50)
    # After this many failures of the server itself in a row (refused, timed out, dropped), delivery
    # leaves the server alone for MAIL_SERVER_BACKOFF_SECONDS, doubling up to 15 minutes.
    MAIL_SERVER_FAILURES = _int("MAIL_SERVER_FAILURES", 3)
    MAIL_SERVER_BACKOFF_SECONDS = _int("MAIL_SERVER_BACKOFF_SECONDS", 60)

    # Calendar replies (Accept / Decline pressed in a calendar program) arrive at the MAIL_FROM
    # mailbox; the calendar_replies job reads them over IMAP. No IMAP_HOST: not read.
    IMAP_HOST = os.environ.get("IMAP_HOST", "")
    IMAP_PORT = _int("IMAP_PORT", 993)
    IMAP_USER = os.environ.get("IMAP_USER", "")
    IMAP_PASSWORD = os.environ.get("IMAP_PASSWORD", "")
    IMAP_SSL = _bool("IMAP_SSL", True)
    IMAP_MAILBOX = os.environ.get("IMAP_MAILBOX", "INBOX")
    IMAP_TIMEOUT = _int("IMAP_TIMEOUT", 30)

    # Rate limiting (Flask-Limiter). memory:// is per process; use redis:// beyond one worker.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # The JSON API (/api/v1): requests per token (per address without a token), and the origins
    # (exact, comma-separated, e.g. "https://project.example.org") whose pages may call it (CORS).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    # The public certificate verification page (per address): enough for people, not for guessing.
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
    API_CORS_ORIGINS = tuple(o.strip().rstrip("/") for o in os.environ.get("API_CORS_ORIGINS", "").split(",")
                             if o.strip())
    # How long the emailed links work: confirming an address, and resetting a password (once).
    EMAIL_CONFIRM_HOURS = _int("EMAIL_CONFIRM_HOURS", 48)
    PASSWORD_RESET_HOURS = _int("PASSWORD_RESET_HOURS", 2)

    # Sessions: signed cookies, so any number of stateless web workers can serve a user.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_HOURS", 12) * 3600
    # The session cookie's expiry slides with activity, re-sent at most this often (app.accounts.auth).
    SESSION_REFRESH_SECONDS = _int("SESSION_REFRESH_SECONDS", 600)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock

    # Password hashing: argon2id at OWASP strength (m=19 MiB, t=2, p=1 is the minimum).
    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 2)
    ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 19456)
    ARGON2_PARALLELISM = _int("ARGON2_PARALLELISM", 1)

    # Demo mode lists the demo logins on the sign-in page. `make run` sets it; never in production.
    DEMO_MODE = _bool("LIAISON_DEMO", False)

    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Europe/Brussels")
    PAGE_SIZE = _int("PAGE_SIZE", 20)
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 10) * 1024 * 1024

    # Built reports (dashboard, participation) are kept for this many seconds (time-kept cache entries); 0 = off.
    REPORTS_CACHE_SECONDS = _int("REPORTS_CACHE_SECONDS", 60)

    # The one cache (app/cache/fragments.py, Flask-Caching): an in-process store per worker of at most this many
    # entries and megabytes (least recently used dropped first), or one Redis shared by the workers when
    # CACHE_REDIS_URL is set. CACHE_TYPE=NullCache turns every cache off but the few entries each worker keeps
    # (app/cache/worker.py, CACHE_WORKER_KB=0: none).
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None
    CACHE_THRESHOLD = _int("CACHE_THRESHOLD", 2000)  # entries
    CACHE_MEMORY_MB = _int("CACHE_MEMORY_MB", 3)  # megabytes the entries hold, per worker
    CACHE_MAX_ENTRY_KB = _int("CACHE_MAX_ENTRY_KB", 1024)  # larger ones are built every time
    CACHE_WORKER_KB = _int("CACHE_WORKER_KB", 2048)  # app.cache.worker: the public feed, kept in each worker
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "")
    # Every cache build fails when it reads a table its entry does not declare (tests turn it on).
    CACHE_CHECK_DEPENDENCIES = _bool("CACHE_CHECK_DEPENDENCIES", False)
    # Diagnostics: a Server-Timing header (app and database time, cache hit or miss) on every response
    # (app/cache/timing.py). For benchmarks (bench/mixed.py); off in production.
    SERVER_TIMING = _bool("SERVER_TIMING", False)

    # Scheduler
    SCHEDULER_LEASE_SECONDS = _int("SCHEDULER_LEASE_SECONDS", 60)
    # `flask scheduler run` writes its routine (INFO) lines here, warnings and errors still to the
    # terminal; unset: everything to the terminal. `make run` sets instance/scheduler.log.
    SCHEDULER_LOG_FILE = os.environ.get("SCHEDULER_LOG_FILE", "")
    SCHEDULER_HEARTBEAT_SECONDS = _int("SCHEDULER_HEARTBEAT_SECONDS", 0)  # 0 = a third of the lease
    SCHEDULER_DIGEST_WEEKDAY = _int("SCHEDULER_DIGEST_WEEKDAY", 0)  # 0 = Monday
    SCHEDULER_DIGEST_HOUR = _int("SCHEDULER_DIGEST_HOUR", 7)
    # Units (e.g. registrations) per write transaction of a job: short transactions on SQLite.
    SCHEDULER_BATCH_SIZE = _int("SCHEDULER_BATCH_SIZE", 200)
    REMINDER_DAYS_DEFAULT = os.environ.get("REMINDER_DAYS_DEFAULT", "7,1")
    # Days after an event ends before the needs_retention job erases its participants' needs.
    NEEDS_RETENTION_DAYS = _int("NEEDS_RETENTION_DAYS", 30)

    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    REPORTS_CACHE_SECONDS = 0
    CACHE_CHECK_DEPENDENCIES = True
    RATELIMIT_STORAGE_URI = "memory://"
    DEMO_MODE = False
    MAIL_BACKEND = "file"
    SERVER_NAME = None
    BASE_URL = "http://liaison.test"
    # Fast hashing in tests only; production keeps the OWASP parameters above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = "https"
    DEMO_MODE = False

    @classmethod
    def validate(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if key in INSECURE_SECRET_KEYS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        # The app must sign with the key just checked, not with a value read when this module loaded.
        cls.SECRET_KEY = key
        base_url = os.environ.get("BASE_URL", "").strip().rstrip("/")
        if not base_url.startswith(("https://", "http://")):
            raise RuntimeError(
                "BASE_URL must be set in production to the site's public address, for example "
                "BASE_URL=https://liaison.example.org: every link in emails, calendar files and feeds is built on it."
            )
        cls.BASE_URL = base_url


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    return CONFIGS.get(os.environ.get("LIAISON_ENV", "development"), DevelopmentConfig)
