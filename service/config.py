"""Settings from the environment (DAKSCAN_*), with defaults that run on a laptop as is."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a run writes lives under `home`; the database defaults to SQLite there."""

    model_config = SettingsConfigDict(env_prefix="DAKSCAN_", extra="ignore")

    home: Path = Path("./dakscan-data")
    database_url: str | None = None
    broker_url: str = "redis://127.0.0.1:6379/0"
    unit: str = "DAK"
    record_unit: str = "REC"
    languages: str = "Devanagari"
    dpi: int = 300
    workers: int = 0  # 0 = one per core
    max_pages: int = 500
    max_pixels: int = 80_000_000  # per page: A0 at 300 dpi is 140 MP; a phone photo is 12-50 MP
    max_upload_mb: int = 100
    page_timeout_s: int = 300
    file_timeout_s: int = 3600  # bulk: one document (a legacy file may have hundreds of pages)
    max_attempts: int = 3  # bulk: a document that kills its worker this often is set aside
    visibility_timeout_s: int = 3600  # Redis broker: an unacked task goes to another worker
    queue: str = "dakscan"  # Celery queue of bulk documents
    max_tasks_per_child: int = 50  # Celery: a worker child is replaced after this many
    timestamp_url: str | None = None
    pkcs12_path: Path | None = None
    pkcs12_password: str | None = None
    pkcs11_module: str | None = None
    pkcs11_token: str | None = None
    pkcs11_key_label: str | None = None
    pkcs11_pin: str | None = None
    visible_stamp: bool = False
    cue_profile: str = "default"
    office_names: str = ""  # comma-separated names of this office, to tell endorsed copies
    secret_key: str | None = None
    timezone: str = "Asia/Kolkata"  # diary years turn over at the office's midnight

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home.resolve() / 'register.sqlite'}"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and commands that change the environment)."""
    get_settings.cache_clear()
