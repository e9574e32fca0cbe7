"""Settings from the environment, read in one place.

Everything an operator can change is an environment variable (README, "Configuration"). Paths
default to ``./data`` so that ``make run`` works on a fresh checkout without any setup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _flag(env: dict[str, str] | os._Environ[str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """The running configuration. Build with :func:`get_settings`, never by hand in product code."""

    data_dir: Path
    database_url: str
    public_url: str | None
    secret_key_file: Path
    secret_key: str | None
    default_language: str
    demo: bool
    sandbox_port: int
    cookie_expiry_days: float
    login_delay_seconds: float
    run_workers: bool
    trusted_proxies: tuple[str, ...]

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``)."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("DATA_DIR") or PROJECT_DIR / "data").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'whatsapp.db'}"
    language = env.get("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE)
    if language not in LANGUAGES:
        raise ValueError(
            f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {language!r}"
        )
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
        secret_key_file=Path(env.get("SECRET_KEY_FILE") or data_dir / "secret.key"),
        secret_key=env.get("SECRET_KEY") or None,
        default_language=language,
        demo=_flag(env, "DEMO"),
        sandbox_port=int(env.get("SANDBOX_PORT", "8790")),
        cookie_expiry_days=float(env.get("COOKIE_EXPIRY_DAYS", "7")),
        login_delay_seconds=float(env.get("LOGIN_DELAY_SECONDS", "0.7")),
        run_workers=env.get("RUN_WORKERS", "1") != "0",
        trusted_proxies=tuple(
            part.strip() for part in env.get("TRUSTED_PROXIES", "").split(",") if part.strip()
        ),
    )


@cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return load_settings()
