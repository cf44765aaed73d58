"""PAdES signature with the key on a PKCS#11 token (SoftHSM2 standing in for the office DSC
on a USB token): dakscan's own `sign_pdf`, checked by `verify_bytes` and by pyHanko alone.

The token lives in a private SoftHSM2 token folder (SOFTHSM2_CONF) for this module. Without
SoftHSM2 these tests skip on a laptop and fail in CI (CI=true), like `need_service`.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sealed import sealed_copy

from dakscan.ingest.pdfa_check import check_signed_pdf, revision_before_first_signature
from dakscan.ingest.verify import verify_bytes
from dakscan.service.config import get_settings, reset_settings

TOKEN, PIN, SO_PIN, LABEL = "dakscan-test", "1234", "4321", "signer"
SIGNER_NAME = "राजेश कुमार मिश्रा (token)"
MODULES = ("/usr/lib/softhsm/libsofthsm2.so",
           "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
           "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
           "/usr/lib64/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so")


def _need_softhsm() -> str:
    """The SoftHSM2 module; skip (laptop) or fail (CI) without it."""
    module = next((m for m in MODULES if Path(m).is_file()), None)
    if module and shutil.which("softhsm2-util"):
        return module
    msg = "SoftHSM2 (libsofthsm2.so, softhsm2-util) not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{msg}: .ci/setup installs softhsm2, so this is a real failure")
    pytest.skip(f"{msg} (apt-get install softhsm2 to run this test)")


def _token_cert() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    now = datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_NAME),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Collectorate"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "IN")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A SoftHSM2 token `dakscan-test` holding an RSA-2048 key and its certificate."""
    module = _need_softhsm()
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    key, cert = _token_cert()
    (root / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    der = cert.public_bytes(serialization.Encoding.DER)
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

    def util(*args: str) -> None:
        done = subprocess.run(["softhsm2-util", *args], env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr

    util("--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN)
    util("--import", str(root / "key.pem"), "--label", LABEL, "--id", "01", "--token", TOKEN,
         "--pin", PIN)
    with pytest.MonkeyPatch.context() as mp:
        # SoftHSM reads SOFTHSM2_CONF when the module is initialised: once per process
        mp.setenv("SOFTHSM2_CONF", str(conf))
        import pkcs11
        from pkcs11 import Attribute, CertificateType, ObjectClass

        tok = pkcs11.lib(module).get_token(token_label=TOKEN)
        with tok.open(rw=True, user_pin=PIN) as session:  # closing it logs out again
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: LABEL, Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(), Attribute.VALUE: der})
        yield {"module": module, "cert": asn1_x509.Certificate.load(der), "der": der}
        from dakscan.ingest.sign import close_pkcs11_sessions

        close_pkcs11_sessions()


@pytest.fixture
def on_token(token, home, monkeypatch) -> dict:
    """DAKSCAN_PKCS11_* pointing at the test token, and a sealed dak under `home`."""
    from dakscan.ingest.sign import close_pkcs11_sessions

    sealed = sealed_copy(home)
    for name, value in (("MODULE", token["module"]), ("TOKEN", TOKEN), ("KEY_LABEL", LABEL),
                        ("PIN", PIN)):
        monkeypatch.setenv(f"DAKSCAN_PKCS11_{name}", value)
    monkeypatch.delenv("DAKSCAN_PKCS12_PATH", raising=False)
    reset_settings()
    close_pkcs11_sessions()
    yield {**token, "sealed": sealed}
    close_pkcs11_sessions()


def test_token_key_signs_pades_that_verifies_and_stays_pdfa(on_token):
    from dakscan.ingest.sign import sign_pdf, signer_for

    settings = get_settings()
    base = revision_before_first_signature(
        Path(on_token["sealed"]["hi"]["archive"]["path"]).read_bytes())
    assert base is not None and not PdfFileReader(io.BytesIO(base)).embedded_signatures
    signed = sign_pdf(base, settings, "12/2026/DAK")

    sigs = PdfFileReader(io.BytesIO(signed)).embedded_signatures  # pyHanko alone
    assert len(sigs) == 1 and sigs[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = validate_pdf_signature(sigs[0], signer_validation_context=ValidationContext(
        trust_roots=[on_token["cert"]], allow_fetching=False))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE" and status.md_algorithm == "sha256"
    assert status.signing_cert.dump() == on_token["der"]
    assert status.signing_cert.subject == on_token["cert"].subject
    assert SIGNER_NAME in status.signing_cert.subject.human_friendly

    v = verify_bytes(signed, "token.pdf", settings, register=False)
    assert v.intact and v.signature_valid and v.covers_whole_file, v.problems
    assert v.pdfa and not v.pdfa_findings and check_signed_pdf(signed) == []
    assert v.signer == on_token["cert"].subject.human_friendly
    assert v.signer_sha256 == on_token["cert"].sha256.hex() and v.level == "PAdES B-B"
    # the only remark may be trust: dakscan's verify does not know the token's certificate
    assert set(v.problems) <= {"signed by a certificate this office does not trust"}

    # one session for many signatures: the signer (and its session) is reused
    first = signer_for(settings)
    again = sign_pdf(base, settings, "13/2026/DAK")
    assert signer_for(settings) is first
    assert verify_bytes(again, "again.pdf", settings, register=False).signature_valid


def test_verify_trusts_the_configured_token_certificate(on_token):
    from dakscan.ingest.sign import sign_pdf

    base = revision_before_first_signature(
        Path(on_token["sealed"]["en"]["archive"]["path"]).read_bytes())
    signed = sign_pdf(base, get_settings(), "14/2026/DAK")
    v = verify_bytes(signed, "token.pdf", get_settings(), register=False)
    assert v.ok and v.trusted, v.problems


def test_lost_session_is_reopened_once(on_token):
    """Token pulled out and put back: the cached session is dead, the next signature logs in
    again instead of failing until a restart."""
    from dakscan.ingest.sign import sign_pdf, signer_for

    settings = get_settings()
    base = revision_before_first_signature(
        Path(on_token["sealed"]["en"]["archive"]["path"]).read_bytes())
    stale = signer_for(settings)
    stale.pkcs11_session.close()
    signed = sign_pdf(base, settings, "15/2026/DAK")
    assert signer_for(settings) is not stale
    assert verify_bytes(signed, "x.pdf", settings, register=False).signature_valid


@pytest.mark.timeout(60)
def test_wrong_pin_fails_fast_in_one_line_and_is_not_retried(on_token, monkeypatch):
    from dakscan.ingest.sign import PKCS11Error, sign_pdf

    base = revision_before_first_signature(
        Path(on_token["sealed"]["hi"]["archive"]["path"]).read_bytes())
    monkeypatch.setenv("DAKSCAN_PKCS11_PIN", "9999")
    reset_settings()
    for _ in range(2):  # the second time from memory: a real token counts wrong PINs
        started = time.monotonic()
        with pytest.raises(PKCS11Error) as err:
            sign_pdf(base, get_settings(), "16/2026/DAK")
        assert time.monotonic() - started < 10
        msg = str(err.value)
        assert "wrong PIN" in msg and "DAKSCAN_PKCS11_PIN" in msg and TOKEN in msg
        assert "\n" not in msg and PIN not in msg.replace(TOKEN, "") and "9999" not in msg
    monkeypatch.setenv("DAKSCAN_PKCS11_PIN", PIN)  # the right PIN still works
    reset_settings()
    assert sign_pdf(base, get_settings(), "17/2026/DAK")


def test_wrong_key_label_or_token_says_which(on_token, monkeypatch):
    from dakscan.ingest.sign import PKCS11Error, signer_for

    monkeypatch.setenv("DAKSCAN_PKCS11_KEY_LABEL", "nope")
    reset_settings()
    with pytest.raises(PKCS11Error, match="labelled 'nope'.*DAKSCAN_PKCS11_KEY_LABEL"):
        signer_for(get_settings())
    monkeypatch.setenv("DAKSCAN_PKCS11_TOKEN", "no-such-token")
    reset_settings()
    with pytest.raises(PKCS11Error, match="'no-such-token'.*cannot open the token"):
        signer_for(get_settings())
