"""PAdES signatures checked with pyHanko, and every kind of tampering caught by verify."""

from __future__ import annotations

import io
import json
import logging
import shutil
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sealed import dakscan, sealed_copy
from sqlalchemy import select, text

from dakscan.ingest.pdfa_check import revision_before_first_signature
from dakscan.ingest.sign import sign_pdf
from dakscan.ingest.verify import verify_bytes, verify_file
from dakscan.service import store
from dakscan.service.config import get_settings, reset_settings
from dakscan.service.db import session_scope
from dakscan.service.models import AuditEntry, Dak


@pytest.fixture
def sealed(home) -> dict:
    return sealed_copy(home)


def test_signature_is_pades_and_validates_with_pyhanko(sealed):
    for r in sealed.values():
        data = Path(r["archive"]["path"]).read_bytes()
        sigs = PdfFileReader(io.BytesIO(data)).embedded_signatures
        assert len(sigs) == 1
        sig = sigs[0]
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES baseline
        dev_cert = load_cert_from_pemder(str(get_settings().keys_dir / "dev-signer.pem"))
        status = validate_pdf_signature(  # pyHanko alone, no dakscan code
            sig, signer_validation_context=ValidationContext(trust_roots=[dev_cert]))
        assert status.intact and status.valid and status.trusted
        assert status.coverage.name == "ENTIRE_FILE" and status.md_algorithm == "sha256"
        assert "NOT A DSC" in status.signing_cert.subject.human_friendly
        assert status.signing_cert.public_key.algorithm == "rsa"
        assert status.signing_cert.public_key.bit_size == 2048
        v = verify_file(Path(r["archive"]["path"]), get_settings())
        assert v.ok, v.problems
        assert v.level == "PAdES B-B" and v.signing_time and v.trusted
        assert v.diary_no == r["dak"]["diary_no"] and v.register_match is True


def test_verify_cli_passes_intact_file_fails_flipped_byte_and_is_audited(sealed, tmp_path):
    path = Path(sealed["hi"]["archive"]["path"])
    done = dakscan("verify", "--json", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["ok"] and verdict["pdfa"] and verdict["diary_no"] == sealed["hi"]["dak"][
        "diary_no"]
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01  # one bit inside the page image
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(bytes(data))
    done = dakscan("verify", "--json", str(flipped))
    verdict = json.loads(done.stdout)
    assert done.returncode == 1 and not verdict["ok"] and not verdict["intact"]
    assert any("changed after signing" in p for p in verdict["problems"])
    plain = dakscan("verify", str(flipped))
    assert plain.returncode == 1 and "FAILED" in plain.stdout
    with session_scope(get_settings().db_url, readonly=True) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "verify")
                         .order_by(AuditEntry.id)).all()
        assert [r.detail["ok"] for r in rows] == [True, False, False]
        assert rows[0].dak_id is not None and rows[0].detail["file"] == str(path)
        assert store.broken_links(s) == []


def _append_page_incrementally(data: bytes) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    pages = w.root["/Pages"]
    page = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/Parent"): w.root.raw_get("/Pages"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 595, 842)]),
    })
    pages["/Kids"].append(w.add_object(page))
    pages[generic.NameObject("/Count")] = generic.NumberObject(pages["/Count"] + 1)
    w.update_container(pages)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _edit_title_incrementally(data: bytes) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    info = w.trailer["/Info"]
    info[generic.NameObject("/Title")] = generic.TextStringObject("forged title")
    w.update_container(info)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _rewrite(data: bytes, change) -> bytes:  # noqa: ANN001
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def test_appended_page_and_outside_metadata_edits_are_detected(sealed):
    settings = get_settings()
    data = Path(sealed["en"]["archive"]["path"]).read_bytes()
    cases = {
        "page appended (incremental)": _append_page_incrementally(data),
        "page appended (rewrite)": _rewrite(data, lambda p: p.pages.append(p.pages[0])),
        "title edited (incremental)": _edit_title_incrementally(data),
        "title edited (rewrite)": _rewrite(
            data, lambda p: p.docinfo.__setitem__("/Title", "forged title")),
    }
    for case, tampered in cases.items():
        v = verify_bytes(tampered, case, settings)
        assert not v.ok and v.problems, case
        if "incremental" in case:  # the signed bytes are intact; more was added after them
            assert v.intact and not v.covers_whole_file, case
            assert any("changed after it was signed" in p for p in v.problems)
        else:
            assert not (v.intact and v.covers_whole_file), case


def test_register_edit_outside_dakscan_is_caught_audited_edit_is_not(sealed):
    settings = get_settings()
    path = Path(sealed["hi"]["archive"]["path"])
    with session_scope(settings.db_url) as s:
        s.execute(text("UPDATE dak SET subject = 'जाली विषय' WHERE diary_no = :d"),
                  {"d": sealed["hi"]["dak"]["diary_no"]})
    v = verify_file(path, settings)
    assert not v.ok and v.register_match is False
    assert any("subject changed without an audited edit" in p for p in v.problems)
    with session_scope(settings.db_url) as s:  # put it back, then correct it the proper way
        dak = s.scalars(select(Dak).where(Dak.diary_no == sealed["hi"]["dak"]["diary_no"])).one()
        dak.subject = sealed["hi"]["dak"]["subject"]
    assert verify_file(path, settings).ok
    from datetime import date

    from dakscan.service.api_edit import edit_dak
    from dakscan.service.auth import Principal

    edit_dak(settings, dak.id, Principal("diarist", "diarist"),
             {"subject": "पेयजल समीक्षा", "received_date": date(2026, 1, 2)})
    v = verify_file(path, settings)
    assert v.ok, v.problems
    changed = " ".join(v.changed_since_signing)
    assert "subject" in changed and "received_at" in changed and "audited edit" in changed


def test_verify_refuses_unsigned_and_foreign_files(sealed, tmp_path):
    settings = get_settings()
    data = Path(sealed["hi"]["archive"]["path"]).read_bytes()
    unsigned = revision_before_first_signature(data)
    v = verify_bytes(unsigned, "unsigned.pdf", settings)
    assert not v.ok and "no signature" in v.problems
    v = verify_bytes(b"%PDF-1.7 junk", "junk.pdf", settings)
    assert not v.ok and v.problems
    done = dakscan("verify", str(tmp_path / "missing.pdf"))
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_fresh_home_creates_the_dev_key_with_a_warning(sealed, caplog):
    settings = get_settings()
    base = revision_before_first_signature(Path(sealed["hi"]["archive"]["path"]).read_bytes())
    shutil.rmtree(settings.keys_dir)
    with caplog.at_level(logging.WARNING, logger="dakscan.keys"):
        signed = sign_pdf(base, settings, "9/2026/DAK")
    assert any("self-signed" in r.message and "not a DSC" in r.message for r in caplog.records)
    p12 = settings.keys_dir / "dev-signer.p12"
    assert p12.is_file() and p12.stat().st_mode & 0o077 == 0  # private key: owner only
    assert verify_bytes(signed, "x.pdf", settings, register=False).ok
    done = dakscan("keys", "init")
    assert done.returncode == 0 and "already present" in done.stdout
    assert "NOT a" in done.stdout and "DSC" in done.stdout and "SELF-SIGNED" in done.stdout


def _office_dsc(folder: Path, password: bytes) -> Path:
    """A CA and a leaf certificate like a DSC chain, exported as a PKCS#12 with password."""
    now = datetime.now(UTC)

    def cert(subject, issuer, key, signer, ca: bool):  # noqa: ANN001, ANN202
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .sign(signer, hashes.SHA256()))

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA for DSC")])
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "राजेश कुमार मिश्रा"),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Collectorate")])
    ca = cert(ca_name, ca_name, ca_key, ca_key, True)
    leaf = cert(leaf_name, ca_name, leaf_key, ca_key, False)
    path = folder / "office-dsc.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"dsc", leaf_key, leaf, [ca], serialization.BestAvailableEncryption(password)))
    return path


def test_office_pkcs12_signs_and_chains_to_its_ca(sealed, tmp_path, monkeypatch):
    base = revision_before_first_signature(Path(sealed["en"]["archive"]["path"]).read_bytes())
    p12 = _office_dsc(tmp_path, b"s3cret")
    monkeypatch.setenv("DAKSCAN_PKCS12_PATH", str(p12))
    monkeypatch.setenv("DAKSCAN_PKCS12_PASSWORD", "s3cret")
    reset_settings()
    signed = sign_pdf(base, get_settings(), "10/2026/DAK")
    v = verify_bytes(signed, "dsc.pdf", get_settings(), register=False)
    assert v.ok and v.trusted and v.pdfa, v.problems
    assert "राजेश कुमार मिश्रा" in v.signer
    monkeypatch.delenv("DAKSCAN_PKCS12_PATH")
    reset_settings()  # a machine without that chain: still intact, but not trusted
    v = verify_bytes(signed, "dsc.pdf", get_settings(), register=False)
    assert v.intact and v.signature_valid and not v.trusted


def _tsa_server() -> tuple[ThreadingHTTPServer, str]:
    """A real RFC 3161 time-stamp server on loopback (pyHanko's dummy TSA behind HTTP)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    now = datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(key, hashes.SHA256()))
    tsa = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            req = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = tsa.request_tsa_response(req).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/tsa"


def test_timestamp_server_gives_pades_b_t_and_stays_pdfa(sealed, monkeypatch):
    base = revision_before_first_signature(Path(sealed["hi"]["archive"]["path"]).read_bytes())
    server, url = _tsa_server()
    try:
        monkeypatch.setenv("DAKSCAN_TIMESTAMP_URL", url)
        reset_settings()
        signed = sign_pdf(base, get_settings(), "11/2026/DAK")
    finally:
        server.shutdown()
    v = verify_bytes(signed, "bt.pdf", get_settings(), register=False)
    assert v.level == "PAdES B-T" and v.timestamp, v
    assert v.intact and v.signature_valid and v.pdfa and v.ok, v.problems


def test_pages_appended_and_signed_again_by_a_stranger_fail(sealed, tmp_path):
    """Every signature intact and the last covering the whole file is not enough: a second
    signature from a certificate this office does not trust makes the file fail."""
    from pyhanko.sign import signers

    data = _append_page_incrementally(Path(sealed["en"]["archive"]["path"]).read_bytes())
    from dakscan.ingest.sign import pkcs12_signer

    stranger = pkcs12_signer(_office_dsc(tmp_path, b"x"), "x")
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)),
                     signers.PdfSignatureMetadata(field_name="Stranger"), signer=stranger,
                     output=out)
    v = verify_bytes(out.getvalue(), "resigned.pdf", get_settings())
    assert v.intact and v.covers_whole_file and not v.trusted
    assert not v.ok and any("does not trust" in p for p in v.problems), v.problems


def test_hostile_structures_give_a_verdict_not_a_traceback(sealed):
    data = Path(sealed["hi"]["archive"]["path"]).read_bytes()

    def odd(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj["/Annots"] = pikepdf.Array([5, pikepdf.Name.X])

    v = verify_bytes(_rewrite(data, odd), "odd.pdf", get_settings())
    assert not v.ok and v.problems


def test_an_unusable_office_key_fails_each_file_plainly_and_leaves_no_orphan(home, tmp_path,
                                                                             monkeypatch):
    """A wrong DSC password: the file is refused with `signing_key` before any OCR, nothing
    reaches the archive or the register, and scrub stays clean."""
    from dakscan.ingest.scrub import scrub
    from dakscan.service.pipeline import Pipeline

    from letters import HINDI_LETTER, render_page, save

    monkeypatch.setenv("DAKSCAN_PKCS12_PATH", str(_office_dsc(tmp_path, b"right")))
    monkeypatch.setenv("DAKSCAN_PKCS12_PASSWORD", "wrong")
    reset_settings()
    scan = save(render_page(HINDI_LETTER[:3], page=(1240, 500), margin=60), tmp_path / "l.png")
    with Pipeline(workers=1) as p:
        r = p.process(scan)
    assert (r["status"], r["error_code"]) == ("failed", "signing_key"), r
    assert "DSC" in r["error"] and "हस्ताक्षर" in r["error_hi"] and r["seconds"] < 5
    settings = get_settings()
    assert not any(p.is_file() for p in settings.archive_dir.rglob("*"))
    checked, problems = scrub(settings, full=True, record=False)
    assert problems == []
