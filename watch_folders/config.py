"""The watch configuration: one TOML table per scanning desk, checked before anything runs.

A typo in a key or an unknown delivery mode is an error at start, said plainly, rather than
a desk that silently registers letters with the wrong unit.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dakscan.service.config import get_settings

DELIVERY_MODES = ("by_hand", "post", "registered_post", "speed_post", "courier", "email", "fax",
                  "e_office", "other")


class ConfigError(Exception):
    """A watch configuration that cannot be used, with the reason."""


class DeskConfig(BaseModel):
    """One scanner folder and how its letters are numbered."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    folder: Path
    unit: str | None = Field(default=None, max_length=40)
    delivery_mode: str | None = None
    languages: str | None = None
    kind: str = "dak"
    poll: bool = False
    poll_interval: float = Field(default=2.0, gt=0, le=3600)
    stability_seconds: float = Field(default=3.0, ge=0, le=3600)
    give_up_seconds: float = Field(default=60.0, ge=0, le=86400)

    @field_validator("delivery_mode")
    @classmethod
    def _known_mode(cls, value: str | None) -> str | None:
        if value is not None and value not in DELIVERY_MODES:
            raise ValueError(f"unknown delivery mode {value!r}; use one of "
                             + ", ".join(DELIVERY_MODES))
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in ("dak", "record"):
            raise ValueError("kind must be 'dak' or 'record'")
        return value


class WatchConfig(BaseModel):
    """All desks plus the settings shared by the one worker pool."""

    model_config = ConfigDict(extra="forbid")

    workers: int = Field(default=0, ge=0, le=256)  # 0 = one per core
    file_timeout: float = Field(default=120.0, gt=0)  # seconds per file, plus …
    page_timeout: float = Field(default=60.0, ge=0)  # … seconds per page, then killed
    rescan_seconds: float = Field(default=60.0, ge=0)  # 0 = no periodic rescan
    stop_grace_seconds: float = Field(default=30.0, ge=0)
    desks: list[DeskConfig]

    def limit_for(self, pages: int | None) -> float:
        """The time a file of `pages` pages may take before its worker is killed."""
        return self.file_timeout + self.page_timeout * max(1, pages or 1)

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)


def load_config(path: Path | str) -> WatchConfig:
    """Read and check a watch TOML file; ConfigError with the reason otherwise."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return parse_config(data, base=path.parent)


def parse_config(data: dict, base: Path) -> WatchConfig:
    """Desks as `[desks.<name>]` tables or a `[[desks]]` list; relative folders from `base`."""
    watch = dict(data.get("watch", {}))
    unknown = set(data) - {"watch", "desks"}
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(unknown))}")
    raw = data.get("desks")
    if isinstance(raw, dict):
        desks = [{"name": name, **table} for name, table in raw.items()]
    elif isinstance(raw, list):
        desks = list(raw)
    else:
        raise ConfigError("no desks: add a [desks.<name>] table with at least `folder`")
    for desk in desks:
        if isinstance(desk, dict) and "folder" in desk:
            folder = Path(os.path.expanduser(str(desk["folder"])))
            desk["folder"] = folder if folder.is_absolute() else base / folder
    try:
        config = WatchConfig(**watch, desks=desks)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from exc
    _check_distinct(config)
    return config


def _explain(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        lines.append(f"{where}: {err['msg']}")
    return "invalid watch config:\n  " + "\n  ".join(lines)


def _check_distinct(config: WatchConfig) -> None:
    names, folders = set(), set()
    if not config.desks:
        raise ConfigError("no desks: add a [desks.<name>] table with at least `folder`")
    for desk in config.desks:
        folder = desk.folder.resolve()
        if desk.name in names:
            raise ConfigError(f"desk {desk.name!r} appears twice")
        if folder in folders:
            raise ConfigError(f"folder {folder} is watched by two desks")
        names.add(desk.name)
        folders.add(folder)


def default_config_path() -> Path | None:
    """`DAKSCAN_WATCH_CONFIG`, else `<DAKSCAN_HOME>/watch.toml` when it exists."""
    env = os.environ.get("DAKSCAN_WATCH_CONFIG")
    if env:
        return Path(env)
    path = get_settings().home / "watch.toml"
    return path if path.is_file() else None
