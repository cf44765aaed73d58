"""What a watch worker process does with one claimed file: run the core pipeline on it."""

from __future__ import annotations

from dakscan.service.pipeline import Intake, worker_pipeline


def process_job(job: dict) -> dict:
    """Register the file at `job['path']` (in processing/); a small JSON-ready outcome."""
    desk = job["desk"]
    intake = Intake(desk=desk, unit=job.get("unit"), delivery_mode=job.get("delivery_mode"),
                    kind=job.get("kind", "dak"), lang=job.get("lang"), actor=f"watch:{desk}",
                    source_name=job["source_name"])
    result = worker_pipeline().process(job["path"], intake)
    dak = result.get("dak") or {}
    return {
        "status": result["status"],
        "error": result.get("error"),
        "error_hi": result.get("error_hi"),
        "error_code": result.get("error_code"),
        "diary_no": dak.get("diary_no"),
        "sha256": (result.get("archive") or {}).get("sha256"),
        "seconds": result.get("seconds"),
    }
