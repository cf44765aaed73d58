"""PAdES signature of a dak's PDF/A, as an incremental update that keeps the PDF/A revision.

B-B by default; B-T when a timestamp server is configured (`DAKSCAN_TIMESTAMP_URL`). The key
comes from the office DSC (PKCS#12 file or PKCS#11 token) or, on a fresh install, the
development key, created on first use with a warning that it is self-signed. RSA keeps the
file PDF/A: with an ECDSA P-256 key pyHanko marks the catalog /Version 2.0 (ISO 32002).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
from functools import cached_property, lru_cache
from pathlib import Path

import pikepdf
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import get_pyca_cryptography_hash

from dakscan.ingest.keys import init_dev_key
from dakscan.ingest.stamp import stamp_box, stamp_style
from dakscan.service.config import Settings

FIELD = "DakscanSignature"


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko parses (and, for RSA, re-validates: ~50 ms) the private key on every raw
    signature, twice per PDF (size estimate, then the signature); this keeps it parsed."""

    @cached_property
    def _key(self):  # noqa: ANN202 - a cryptography private key
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15":
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


@lru_cache(maxsize=8)
def _pkcs12_signer(path: str, password: str | None, _mtime_ns: int) -> signers.Signer:
    loaded = signers.SimpleSigner.load_pkcs12(
        path, passphrase=password.encode() if password else None)
    if loaded is None:
        raise RuntimeError(f"cannot read the signing key {path} (wrong password?)")
    return KeptKeySigner(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                         cert_registry=loaded.cert_registry,
                         signature_mechanism=loaded.signature_mechanism)


def pkcs12_signer(path: Path, password: str | None) -> signers.Signer:
    """The signer of a PKCS#12 file, loaded once per file version."""
    path = Path(path).resolve()
    return _pkcs12_signer(str(path), password, path.stat().st_mtime_ns)


# PKCS#11 token (the office DSC on a USB token, or SoftHSM). One session per process and
# token, opened on first use and kept: logging in to a USB token is slow, and every wrong PIN
# counts down its retries, so a PIN the token rejected is never tried again by this process.
_P11_LOCK = threading.RLock()  # one session: one signature at a time (and guards the cache)
_P11_SIGNERS: dict[tuple, signers.Signer] = {}
_P11_REJECTED: dict[tuple, str] = {}
# the session went away (token pulled out and put back, pcscd restarted): open a new one once
_P11_RECONNECT = ("SessionHandleInvalid", "SessionClosed", "DeviceRemoved", "TokenNotPresent",
                  "UserNotLoggedIn", "KeyHandleInvalid", "ObjectHandleInvalid",
                  "DeviceError")


class PKCS11Error(RuntimeError):
    """The token cannot sign; the message says why in one line."""


def _p11_key(settings: Settings) -> tuple:
    pin = hashlib.sha256(settings.pkcs11_pin.encode()).hexdigest() if settings.pkcs11_pin else ""
    return (settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_key_label, pin)


def _p11_reason(exc: BaseException) -> str:
    """python-pkcs11 errors mostly carry no message: their class name is the reason."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _open_pkcs11_signer(settings: Settings) -> signers.Signer:
    module, token, label = (settings.pkcs11_module, settings.pkcs11_token,
                            settings.pkcs11_key_label)
    where = f"PKCS#11 token {token or '(any)'!r} via {module}"
    try:
        import pkcs11 as p11
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11
    except ImportError as exc:
        raise PKCS11Error(f"{where}: python-pkcs11 is not installed ({exc})") from None
    if not Path(module).is_file():
        raise PKCS11Error(f"{where}: no such PKCS#11 module (DAKSCAN_PKCS11_MODULE)")
    try:
        session = pkcs11.open_pkcs11_session(
            module, token_criteria=TokenCriteria(label=token) if token else None,
            user_pin=settings.pkcs11_pin)
    except p11.PinIncorrect:
        msg = (f"{where}: wrong PIN (DAKSCAN_PKCS11_PIN); not retried, so the token does "
               "not lock: fix the PIN and restart")
        _P11_REJECTED[_p11_key(settings)] = msg
        raise PKCS11Error(msg) from None
    except p11.PinLocked:
        raise PKCS11Error(f"{where}: the PIN is locked (too many wrong PINs); unblock it "
                          "with the token's tool and SO PIN") from None
    except (p11.PinExpired, p11.PinInvalid, p11.PinLenRange) as exc:
        raise PKCS11Error(f"{where}: PIN rejected ({_p11_reason(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - module missing/broken, no such token, ...
        raise PKCS11Error(f"{where}: cannot open the token ({_p11_reason(exc)})") from None
    # the certificate and the key share the label (`--label` of softhsm2-util, pkcs11-tool
    # and the DSC vendors' tools); the signer is loaded now so a wrong label fails here
    signer = pkcs11.PKCS11Signer(session, cert_label=label, key_label=label)
    try:
        signer.signing_cert  # noqa: B018 - loads the certificate and the key handle
    except Exception as exc:  # noqa: BLE001
        session.close()
        hint = "" if settings.pkcs11_pin else " (no DAKSCAN_PKCS11_PIN: private keys hidden?)"
        raise PKCS11Error(f"{where}: no signing key and certificate labelled {label!r} "
                          f"(DAKSCAN_PKCS11_KEY_LABEL): {_p11_reason(exc)}{hint}") from None
    return signer


def _pkcs11_signer(settings: Settings) -> signers.Signer:
    key = _p11_key(settings)
    with _P11_LOCK:
        if key in _P11_REJECTED:
            raise PKCS11Error(_P11_REJECTED[key])
        if key not in _P11_SIGNERS:
            _P11_SIGNERS[key] = _open_pkcs11_signer(settings)
        return _P11_SIGNERS[key]


def close_pkcs11_sessions() -> None:
    """Close the cached token sessions (the next signature logs in again)."""
    with _P11_LOCK:
        for signer in _P11_SIGNERS.values():
            with contextlib.suppress(Exception):
                signer.pkcs11_session.close()
        _P11_SIGNERS.clear()


def _reconnectable(exc: BaseException) -> bool:
    while exc is not None:
        if type(exc).__name__ in _P11_RECONNECT:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def signer_for(settings: Settings) -> signers.Signer:
    """The configured signer: PKCS#11 token, PKCS#12 file, or the development key."""
    if settings.pkcs11_module:
        return _pkcs11_signer(settings)
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
    if not settings.pkcs11_module:
        return _sign(pdf, settings, diary_no, signer_for(settings))
    where = f"PKCS#11 token {settings.pkcs11_token or '(any)'!r} via {settings.pkcs11_module}"
    with _P11_LOCK:
        for attempt in (1, 2):
            try:
                return _sign(pdf, settings, diary_no, _pkcs11_signer(settings))
            except PKCS11Error:
                raise
            except Exception as exc:
                if not _pkcs11_failure(exc):
                    raise
                close_pkcs11_sessions()  # a stale session is never reused
                if attempt == 2 or not _reconnectable(exc):
                    raise PKCS11Error(f"{where}: signing failed ({_p11_reason(exc)})") from exc
    raise AssertionError("unreachable")


def _pkcs11_failure(exc: BaseException | None) -> bool:
    while exc is not None:
        if any(c.__module__.startswith("pkcs11") and c.__name__ == "PKCS11Error"
               for c in type(exc).__mro__):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _sign(pdf: bytes, settings: Settings, diary_no: str, signer: signers.Signer) -> bytes:
    timestamper = (timestamps.HTTPTimeStamper(settings.timestamp_url)
                   if settings.timestamp_url else None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    style, new_field = None, None
    if settings.visible_stamp:
        style = stamp_style()
        if style is not None:
            new_field = fields.SigFieldSpec(FIELD, on_page=0, box=stamp_box(_page_size(pdf)))
    pdf_signer = signers.PdfSigner(
        signature_metadata(settings, diary_no), signer=signer,
        timestamper=timestamper, new_field_spec=new_field, stamp_style=style)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, appearance_text_params={"diary": diary_no})
    return out.getvalue()


def _page_size(pdf: bytes) -> tuple[float, float]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        box = [float(v) for v in doc.pages[0].mediabox]
    return box[2] - box[0], box[3] - box[1]
