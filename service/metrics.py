"""Prometheus metrics: what the register holds (read from the store at scrape time, so dak
registered by any process count) and what this service process does (uploads, requests)."""

from __future__ import annotations

import logging

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import case, func, select

from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import BulkItem, BulkRun, Dak, Failure
from dakscan.watch_folders.queue_file import read_queue

log = logging.getLogger("dakscan.metrics")
disable_created_metrics()  # the *_created series only double the scrape
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REGISTRY = CollectorRegistry(auto_describe=True)
QUEUE = Gauge("dakscan_queue_length", "Files waiting or being processed, by queue",
              ["queue"], registry=REGISTRY)
PAGE_BUCKETS = (0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120)
PAGE_SECONDS = Histogram("dakscan_page_seconds", "Seconds per page of uploads this service "
                         "registered", buckets=PAGE_BUCKETS, registry=REGISTRY)
UPLOAD_FAILURES = Counter("dakscan_upload_failures", "Uploads refused by this service, by "
                          "reason", ["reason"], registry=REGISTRY)
REQUESTS = Counter("dakscan_http_requests", "HTTP requests, by method and status class",
                   ["method", "status"], registry=REGISTRY)
QUEUE.labels("upload").set(0)


def observe_pages(pages: int, seconds: float) -> None:
    per_page = seconds / max(1, pages)
    for _ in range(max(1, pages)):
        PAGE_SECONDS.observe(per_page)


def observe_failure(reason: str) -> None:
    UPLOAD_FAILURES.labels(reason).inc()


class RegisterCollector:
    """Dak and pages per desk and kind, failures by reason, dak waiting for review."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def describe(self) -> list:
        return []  # collected at scrape time only

    def collect(self):  # noqa: ANN201 - prometheus collector protocol
        dak = CounterMetricFamily("dakscan_dak", "Dak registered, by desk and kind",
                                  labels=["desk", "kind"])
        pages = CounterMetricFamily("dakscan_pages", "Pages registered, by desk",
                                    labels=["desk"])
        failures = CounterMetricFamily("dakscan_failures", "Files refused, by reason",
                                       labels=["reason"])
        review = GaugeMetricFamily("dakscan_needs_review", "Dak waiting for a diarist, by desk",
                                   labels=["desk"])
        speed = HistogramMetricFamily(
            "dakscan_register_page_seconds", "Seconds per page of every registered dak, "
            "whoever registered it (watched folders, bulk, workers, uploads), counted per page")
        waiting = GaugeMetricFamily(
            "dakscan_files_queued", "Files waiting or being read outside this service: watched "
            "desks (from the watcher's queue file) and distributed bulk runs (the journal)",
            labels=["source", "desk", "state"])
        for desk, counts in sorted(read_queue(self.settings.home).items()):
            for state, n in sorted(counts.items()):
                waiting.add_metric(["watch", desk, state], n)
        up = GaugeMetricFamily("dakscan_store_up", "1 when the register answered this scrape")
        try:
            with session_scope(self.settings.db_url, readonly=True) as s:
                per_desk: dict[str, int] = {}
                for desk, kind, n, p in s.execute(
                        select(Dak.desk, Dak.kind, func.count(), func.sum(Dak.pages))
                        .group_by(Dak.desk, Dak.kind)):
                    dak.add_metric([desk or "", kind], n)
                    per_desk[desk or ""] = per_desk.get(desk or "", 0) + int(p or 0)
                for desk, p in sorted(per_desk.items()):
                    pages.add_metric([desk], p)
                for code, n in s.execute(select(Failure.code, func.count())
                                         .group_by(Failure.code)):
                    failures.add_metric([code], n)
                for desk, n in s.execute(select(Dak.desk, func.count())
                                         .where(Dak.needs_review.is_(True))
                                         .group_by(Dak.desk)):
                    review.add_metric([desk or ""], n)
                speed.add_metric([], *page_seconds_buckets(s))
                for state, n in s.execute(  # distributed runs: what the broker still holds
                        select(BulkItem.status, func.count()).join(BulkRun)
                        .where(BulkRun.distributed.is_(True),
                               BulkItem.status.in_(("queued", "running")))
                        .group_by(BulkItem.status)):
                    waiting.add_metric(["bulk", "", state], n)
            up.add_metric([], 1)
        except Exception:  # noqa: BLE001 - a scrape must answer even when the store does not
            log.exception("metrics: register not readable")
            up.add_metric([], 0)
        yield from (dak, pages, failures, review, speed, waiting, up)


def page_seconds_buckets(s) -> tuple[list[tuple[str, float]], float]:  # noqa: ANN001
    """Cumulative (le, pages) buckets and the sum of seconds, in one pass over the register."""
    per_page = Dak.seconds / func.nullif(Dak.pages, 0)
    columns = [func.coalesce(func.sum(case((per_page <= b, Dak.pages), else_=0)), 0)
               for b in PAGE_BUCKETS]
    row = s.execute(select(*columns, func.coalesce(func.sum(Dak.pages), 0),
                           func.coalesce(func.sum(Dak.seconds), 0.0))
                    .where(Dak.seconds.is_not(None), Dak.pages > 0)).one()
    counts = [float(v) for v in row[:len(PAGE_BUCKETS)]] + [float(row[-2])]
    edges = [str(float(b)) for b in PAGE_BUCKETS] + ["+Inf"]
    return list(zip(edges, counts, strict=True)), float(row[-1])


def render(settings: Settings) -> bytes:
    """The Prometheus text exposition of this process's metrics and the register's."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RegisterCollector(settings))
    return generate_latest(REGISTRY) + generate_latest(registry)
