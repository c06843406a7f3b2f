"""The provider's TLS certificate for the go-plugin handshake, cached on disk.

Loading a cached PEM needs no ``cryptography`` import, which keeps every provider start fast;
the key pair is only generated (like ``tf.runner``'s, but EC and valid for a year) when none is cached.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

from tfgen.files import PRIVATE, write_file
from tfgen.paths import cache_dir

_KEY = "provider-key.pem"
_CERT = "provider-cert.pem"


def load_or_create() -> tuple[bytes, bytes, str]:
    """(key PEM, certificate PEM, certificate DER in unpadded base64 for the handshake line)."""
    directory = cache_dir() / "tls"
    key_path, cert_path = directory / _KEY, directory / _CERT
    try:
        key_pem, cert_pem = key_path.read_bytes(), cert_path.read_bytes()
        if _still_valid(cert_path):
            return key_pem, cert_pem, _der_b64(cert_pem)
    except OSError:
        pass
    key_pem, cert_pem = _generate()
    directory.mkdir(parents=True, exist_ok=True)
    write_file(key_path, key_pem, mode=PRIVATE)
    write_file(cert_path, cert_pem, mode=PRIVATE)
    return key_pem, cert_pem, _der_b64(cert_pem)


def _still_valid(cert_path: Path) -> bool:
    # Certificates are made valid for 365 days; renew after 300 to stay clear of the end.
    return time.time() - cert_path.stat().st_mtime < 300 * 86400


def _der_b64(cert_pem: bytes) -> str:
    body = b"".join(line for line in cert_pem.splitlines() if line and not line.startswith(b"-----"))
    return base64.b64encode(base64.b64decode(body)).decode().rstrip("=")


def _generate() -> tuple[bytes, bytes]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)
