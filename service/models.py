"""The register's tables (SQLAlchemy 2). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Dak(Base):
    """One registered letter (kind 'dak') or legacy record (kind 'record')."""

    __tablename__ = "dak"
    __table_args__ = (UniqueConstraint("kind", "unit", "year", "serial", name="uq_dak_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="dak", index=True)
    diary_no: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    serial: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(40), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    source_name: Mapped[str] = mapped_column(String(500))
    desk: Mapped[str | None] = mapped_column(String(80), index=True)
    delivery_mode: Mapped[str | None] = mapped_column(String(40))
    original_path: Mapped[str] = mapped_column(String(500))
    pdf_path: Mapped[str] = mapped_column(String(500))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(12), index=True)
    ocr_text: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    page_info: Mapped[list] = mapped_column(JSON, default=list)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)  # fields with value/confidence/evidence
    letter_no: Mapped[str | None] = mapped_column(String(200))
    letter_date: Mapped[date | None] = mapped_column(Date, index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    sender_name: Mapped[str | None] = mapped_column(String(300))
    sender_designation: Mapped[str | None] = mapped_column(String(300))
    sender_office: Mapped[str | None] = mapped_column(String(500))
    addressee: Mapped[str | None] = mapped_column(Text)
    letter_type: Mapped[str | None] = mapped_column(String(40), index=True)
    priority: Mapped[str | None] = mapped_column(String(40), index=True)
    security: Mapped[str | None] = mapped_column(String(40))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    review_reasons: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="registered", index=True)
    section: Mapped[str | None] = mapped_column(String(80), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[str | None] = mapped_column(String(80))
    seconds: Mapped[float] = mapped_column(default=0.0)


class DiaryCounter(Base):
    """Last serial per (kind, unit, year); bumped inside the registering transaction."""

    __tablename__ = "diary_counter"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class Failure(Base):
    """A file that could not be registered, with the reason shown to the desk."""

    __tablename__ = "failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    source_name: Mapped[str] = mapped_column(String(500))
    desk: Mapped[str | None] = mapped_column(String(80), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(40))
    message_hi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    kept_at: Mapped[str | None] = mapped_column(String(1000))
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Append-only, hash-chained log: each row carries the hash of the previous one."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    dak_id: Mapped[int | None] = mapped_column(ForeignKey("dak.id"), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    desk: Mapped[str | None] = mapped_column(String(80))
    section: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BulkRun(Base):
    """One `dakscan bulk` conversion of a source tree; rerunning the same command resumes it."""

    __tablename__ = "bulk_run"
    __table_args__ = (UniqueConstraint("source", "kind", "grouping", name="uq_bulk_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(10))  # dak or record
    grouping: Mapped[str] = mapped_column(String(20))  # files or folders
    unit: Mapped[str | None] = mapped_column(String(40))
    distributed: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    total: Mapped[int] = mapped_column(Integer, default=0)


class BulkItem(Base):
    """One document of a run: its journal line (pending → registered/duplicate/failed)."""

    __tablename__ = "bulk_item"
    __table_args__ = (UniqueConstraint("run_id", "rel_path", name="uq_bulk_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("bulk_run.id", ondelete="CASCADE"), index=True)
    rel_path: Mapped[str] = mapped_column(String(1000))
    size: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes of the file(s)
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)  # newest of the file(s)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    diary_no: Mapped[str | None] = mapped_column(String(80))
    sha256: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
