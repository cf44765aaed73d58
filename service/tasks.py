"""Scale-out on Celery: one task per document, run by `dakscan worker` on any machine.

Every machine shares the broker (`DAKSCAN_BROKER_URL`), the register (PostgreSQL) and the
archive path (`DAKSCAN_HOME` on a shared mount). A task is acknowledged only after its
document is settled (`acks_late`), so a worker killed mid-document has its task delivered
again; the pipeline's sha256 check makes that idempotent. A document that keeps killing
workers is set aside as `poison` after `DAKSCAN_MAX_ATTEMPTS` tries (counted in the journal,
which survives the worker), and transient database or file-system errors are retried with
backoff.
"""

from __future__ import annotations

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from dakscan.ingest.errors import InputError
from dakscan.service import bulk_journal as journal
from dakscan.service.bulk import outcome, process_document
from dakscan.service.config import Settings, get_settings


def make_celery(settings: Settings) -> Celery:
    app = Celery("dakscan", broker=settings.broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a killed worker's task goes back to the queue
        worker_prefetch_multiplier=1,  # a worker holds only the document it is reading
        worker_max_tasks_per_child=settings.max_tasks_per_child,
        task_soft_time_limit=settings.file_timeout_s,
        task_time_limit=settings.file_timeout_s + 60,
        task_default_queue=settings.queue,
        task_ignore_result=True,  # progress lives in the bulk journal, not a result backend
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_s},
        broker_connection_retry_on_startup=True,
    )
    return app


celery_app = make_celery(get_settings())


class DocumentTask(celery_app.Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # noqa: ANN001
        """Retries spent (the database stayed away): settle the line, so no run waits on it."""
        try:
            journal.settle(get_settings().db_url, args[0]["item_id"],
                           InputError("internal", type(exc).__name__).result())
        except Exception:  # noqa: BLE001 - the store is still away: the line stays unsettled
            pass


@celery_app.task(base=DocumentTask, name="dakscan.register_document", bind=True,
                 autoretry_for=(OperationalError, OSError), retry_backoff=2,
                 retry_backoff_max=120, retry_jitter=True, max_retries=5)
def register_document(self, job: dict) -> dict:  # noqa: ANN001
    try:
        return process_document(job, retries=self.request.retries or 0)
    except SoftTimeLimitExceeded:
        limit = get_settings().file_timeout_s
        result = InputError("timeout", f"over the {limit} s limit").result()
        journal.settle(get_settings().db_url, job["item_id"], result)
        return outcome(result)
