"""PAdES signature of a dak's PDF/A, as an incremental update that keeps the PDF/A revision.

B-B by default; B-T when a timestamp server is configured (`DAKSCAN_TIMESTAMP_URL`). The key
comes from the office DSC (PKCS#12 file or PKCS#11 token) or, on a fresh install, the
development key, created on first use with a warning that it is self-signed. RSA keeps the
file PDF/A: with an ECDSA P-256 key pyHanko marks the catalog /Version 2.0 (ISO 32002).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pikepdf
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps

from dakscan.ingest.keys import init_dev_key
from dakscan.ingest.stamp import stamp_box, stamp_style
from dakscan.service.config import Settings

FIELD = "DakscanSignature"


@lru_cache(maxsize=8)
def _pkcs12_signer(path: str, password: str | None, _mtime_ns: int) -> signers.Signer:
    signer = signers.SimpleSigner.load_pkcs12(
        path, passphrase=password.encode() if password else None)
    if signer is None:
        raise RuntimeError(f"cannot read the signing key {path} (wrong password?)")
    return signer


def pkcs12_signer(path: Path, password: str | None) -> signers.Signer:
    """The signer of a PKCS#12 file, loaded once per file version."""
    path = Path(path).resolve()
    return _pkcs12_signer(str(path), password, path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _pkcs11_signer(module: str, token: str | None, key_label: str | None,
                   pin: str | None) -> signers.Signer:
    from pyhanko.config.pkcs11 import TokenCriteria  # needs python-pkcs11
    from pyhanko.sign import pkcs11

    session = pkcs11.open_pkcs11_session(
        module, token_criteria=TokenCriteria(label=token) if token else None, user_pin=pin)
    return pkcs11.PKCS11Signer(session, key_label=key_label)


def signer_for(settings: Settings) -> signers.Signer:
    """The configured signer: PKCS#11 token, PKCS#12 file, or the development key."""
    if settings.pkcs11_module:
        return _pkcs11_signer(settings.pkcs11_module, settings.pkcs11_token,
                              settings.pkcs11_key_label, settings.pkcs11_pin)
    if settings.pkcs12_path:
        return pkcs12_signer(settings.pkcs12_path, settings.pkcs12_password)
    dev = init_dev_key(settings.keys_dir)  # warns once, when it creates the key
    return pkcs12_signer(dev.p12, None)


def signature_metadata(settings: Settings, diary_no: str) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=f"dak registered / डाक दर्ज: {diary_no}", location=settings.unit,
        name="dakscan")


def sign_pdf(pdf: bytes, settings: Settings, diary_no: str) -> bytes:
    """`pdf` signed (PAdES, invisible unless `visible_stamp`) as an incremental update."""
    timestamper = (timestamps.HTTPTimeStamper(settings.timestamp_url)
                   if settings.timestamp_url else None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    style, new_field = None, None
    if settings.visible_stamp:
        style = stamp_style()
        if style is not None:
            new_field = fields.SigFieldSpec(FIELD, on_page=0, box=stamp_box(_page_size(pdf)))
    pdf_signer = signers.PdfSigner(
        signature_metadata(settings, diary_no), signer=signer_for(settings),
        timestamper=timestamper, new_field_spec=new_field, stamp_style=style)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, appearance_text_params={"diary": diary_no})
    return out.getvalue()


def _page_size(pdf: bytes) -> tuple[float, float]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        box = [float(v) for v in doc.pages[0].mediabox]
    return box[2] - box[0], box[3] - box[1]
