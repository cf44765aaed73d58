"""CLI: `dakscan keys init`, `dakscan verify`, `dakscan scrub`."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dakscan.service.config import get_settings

keys_app = typer.Typer(help="Signing keys.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@keys_app.command("init")
def keys_init(
    algorithm: Annotated[str, typer.Option(help="rsa (RSA-2048, default) or ecdsa (P-256; "
                                           "not PDF/A-safe with pyHanko)")] = "rsa",
) -> None:
    """Create the self-signed development key and certificate under DAKSCAN_HOME/keys."""
    from dakscan.ingest.keys import NOT_A_DSC, init_dev_key

    if algorithm not in ("rsa", "ecdsa"):
        err.print("algorithm must be rsa or ecdsa")
        raise typer.Exit(2)
    settings = get_settings()
    dev = init_dev_key(settings.keys_dir, algorithm=algorithm)
    state = "created" if dev.created else "already present"
    out.print(f"development signing key {state}: {dev.p12}\ncertificate: {dev.cert}",
              soft_wrap=True)
    out.print(f"[bold yellow]{NOT_A_DSC}[/]", soft_wrap=True)
    if algorithm == "ecdsa":
        out.print("[yellow]ECDSA: pyHanko marks signed files PDF 2.0, so they fail PDF/A-3b; "
                  "use rsa for archival files.[/]")
    if settings.pkcs12_path or settings.pkcs11_module:
        out.print("A DSC is configured (DAKSCAN_PKCS12_PATH / DAKSCAN_PKCS11_MODULE): dakscan "
                  "signs with it, not with this development key.")


@keys_app.command("show")
def keys_show() -> None:
    """Which key dakscan signs with: subject, SHA-256 fingerprint, DSC or development key."""
    from dakscan.ingest.sign import signer_for

    settings = get_settings()
    try:
        cert = signer_for(settings).signing_cert
    except Exception as exc:  # noqa: BLE001 - a wrong PIN/password is said in one line
        err.print(f"[red]हस्ताक्षर कुंजी नहीं खुली / the signing key cannot be used:[/] {exc}")
        raise typer.Exit(1) from None
    dev = not (settings.pkcs12_path or settings.pkcs11_module)
    out.print(f"signer: {cert.subject.human_friendly}\nsha256: {cert.sha256.hex()}\n"
              f"valid until: {cert.not_valid_after.isoformat()}")
    out.print("[bold yellow]development key: self-signed, NOT a DSC[/]" if dev
              else "office DSC (configured)")


def verify(
    files: Annotated[list[Path], typer.Argument(help="Dak PDF(s) from the archive.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print each verdict as one JSON "
                                          "line.")] = False,
) -> None:
    """Check signature, integrity, PDF/A and the embedded record; exit 0 only when intact."""
    from dakscan.ingest.verify import Verdict, verify_file
    from dakscan.service.store import record_verification

    settings = get_settings()
    all_ok = True
    for file in files:
        if file.is_file():
            verdict = verify_file(file, settings)
        else:
            verdict = Verdict(file=str(file), problems=["no such file / फ़ाइल नहीं मिली"])
        record_verification(settings, verdict.diary_no, str(file.resolve()), verdict.ok,
                            verdict.problems, actor=_actor())
        all_ok &= verdict.ok
        if as_json:
            print(json.dumps(verdict.to_dict(), ensure_ascii=False), flush=True)
        else:
            _show(verdict)
    raise typer.Exit(0 if all_ok else 1)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _show(v) -> None:  # noqa: ANN001
    mark = "[green]OK / सही[/]" if v.ok else "[red]FAILED / विफल[/]"
    out.print(f"{v.file}: {mark}", soft_wrap=True)
    out.print(f"  diary no. / डायरी क्रमांक: {v.diary_no}\n  signer / हस्ताक्षरकर्ता: {v.signer}")
    out.print(f"  signed at: {v.signing_time}  ({v.level}"
              + (f", time-stamp {v.timestamp})" if v.timestamp else ")"))
    out.print(f"  intact: {v.intact}  signature valid: {v.signature_valid}  "
              f"trusted: {v.trusted}  whole file signed: {v.covers_whole_file}")
    register = {True: "yes", False: "NO", None: "not in this register"}[v.register_match]
    out.print(f"  PDF/A-3b: {v.pdfa}  matches register: {register}")
    for c in v.changed_since_signing:
        out.print(f"  changed since signing: {c}", soft_wrap=True)
    for p in v.problems:
        out.print(f"  [red]- {p}[/]", soft_wrap=True)


def scrub(
    full: Annotated[bool, typer.Option("--full", help="Also re-run the PDF/A rules on "
                                       "every PDF (slower).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Re-hash every archived file, re-verify every signature, check the audit chain."""
    from dakscan.ingest.scrub import scrub as run_scrub

    checked, problems = run_scrub(get_settings(), full=full)
    if as_json:
        print(json.dumps({"checked": checked, "problems": problems, "ok": not problems},
                         ensure_ascii=False))
    else:
        for p in problems:
            out.print(f"[red]{p}[/]", soft_wrap=True)
        out.print(f"scrub: {checked} files checked, {len(problems)} problems")
    raise typer.Exit(1 if problems else 0)


def register(app: typer.Typer) -> None:
    """Add this concern's commands to the main app."""
    app.add_typer(keys_app, name="keys")
    app.command()(verify)
    app.command()(scrub)
