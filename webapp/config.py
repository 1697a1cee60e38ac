"""Settings from environment variables, with defaults that need no set-up."""
import os
import secrets
from pathlib import Path


def _persistent_secret_key(instance_path: Path) -> str:
    """Generate the local secret key once and keep it under instance/ (never committed)."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds_or_off(name: str, default: float) -> float | None:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return None if value in {"off", "never", "none"} else float(value)


def settings_from_environment(instance_path: Path) -> dict:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'hotline.db'}"
    if database_url.startswith("postgres://"):  # Heroku-style URLs name the old dialect
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    secure_cookies = _flag("HOTLINE_SECURE_COOKIES", False)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _persistent_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Pooled connections: replaced after HOTLINE_DB_POOL_RECYCLE seconds, and checked with a
        # round trip before reuse once idle for HOTLINE_DB_PING_IDLE_SECONDS (0: before every use,
        # as pool_pre_ping did; "off": never). A busy worker reuses connections without a ping.
        # See extensions.ping_after_idle.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": int(os.environ.get("HOTLINE_DB_POOL_RECYCLE", "1800"))},
        "DB_PING_IDLE_SECONDS": _seconds_or_off("HOTLINE_DB_PING_IDLE_SECONDS", 10.0),
        "BABEL_DEFAULT_LOCALE": os.environ.get("HOTLINE_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("HOTLINE_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ("zh_CN", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session: long lessons must not expire a form
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "PASSWORD_HASH_METHOD": "scrypt",
        "CONTENT_ROOT": os.environ.get("HOTLINE_CONTENT_ROOT", str(Path(__file__).resolve().parent.parent)),
        "PUBLIC_BASE_URL": os.environ.get("HOTLINE_PUBLIC_BASE_URL", ""),
        "BEHIND_PROXY": _flag("HOTLINE_BEHIND_PROXY", False),
        # A change set a trainer publishes waits until a second trainer approves it.
        "CONTENT_APPROVAL": _flag("HOTLINE_CONTENT_APPROVAL", False),
        # Role-play calibration: a criterion is flagged when Cohen's kappa between the machine and
        # the trainers' reviews is below CALIBRATION_KAPPA on at least CALIBRATION_MIN_N judgements.
        "CALIBRATION_KAPPA": float(os.environ.get("HOTLINE_CALIBRATION_KAPPA", "0.6")),
        "CALIBRATION_MIN_N": int(os.environ.get("HOTLINE_CALIBRATION_MIN_N", "10")),
    }
