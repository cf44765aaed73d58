"""The signing identity: the office DSC (PKCS#12 export or PKCS#11 token) or a development key.

The development key is self-signed: it proves integrity, not identity. Offices sign with a
DSC issued under India's CCA; `dakscan keys init` says so plainly.
"""

from __future__ import annotations

import fcntl
import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

log = logging.getLogger("dakscan.keys")
DEV_P12 = "dev-signer.p12"
DEV_CERT = "dev-signer.pem"
NOT_A_DSC = ("This is a SELF-SIGNED DEVELOPMENT certificate for trying dakscan out. It is NOT a "
             "Digital Signature Certificate (DSC): for official records configure the office "
             "DSC (DAKSCAN_PKCS12_PATH or a PKCS#11 token).\n"
             "यह केवल परीक्षण हेतु स्व-हस्ताक्षरित प्रमाणपत्र है, डिजिटल हस्ताक्षर प्रमाणपत्र "
             "(DSC) नहीं।")


@dataclass
class DevKey:
    p12: Path
    cert: Path
    created: bool


def dev_key_paths(keys_dir: Path) -> tuple[Path, Path]:
    return keys_dir / DEV_P12, keys_dir / DEV_CERT


def init_dev_key(keys_dir: Path, algorithm: str = "rsa", common_name: str = "dakscan") -> DevKey:
    """Create the development key and certificate once (safe when processes race)."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    p12, pem = dev_key_paths(keys_dir)
    with open(keys_dir / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if p12.exists() and pem.exists():
            return DevKey(p12, pem, created=False)
        key = (ec.generate_private_key(ec.SECP256R1()) if algorithm == "ecdsa"
               else rsa.generate_private_key(public_exponent=65537, key_size=2048))
        name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME,
                               f"{common_name} development signer (NOT A DSC)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dakscan self-signed test key"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IN"),
        ])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5))
                .not_valid_after(now + timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=True,
                                             crl_sign=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        blob = pkcs12.serialize_key_and_certificates(
            b"dakscan-dev", key, cert, None, serialization.NoEncryption())
        _write_private(p12, blob)
        _write_private(pem, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
        log.warning("created a self-signed development signing key at %s (not a DSC)", p12)
        # also on the terminal (the CLI logs to a file): stderr keeps `--json` stdout clean
        print(f"dakscan: created a self-signed development signing key at {p12} — not a "
              "DSC / स्व-हस्ताक्षरित परीक्षण कुंजी, DSC नहीं", file=sys.stderr)
        return DevKey(p12, pem, created=True)


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(mode)
    tmp.replace(path)


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())
