"""A certificate authority made on the spot, so TLS tests need no internet and no fixture files.

360Dialog is only reachable over HTTPS: the tests serve HTTPS locally with a certificate this
authority issued, and trust it (or not) the way an operator would, through a CA bundle file.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PEM = serialization.Encoding.PEM


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return builder.not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(
        now + datetime.timedelta(days=1)
    )


class CertificateAuthority:
    """A self-signed root that issues server certificates for the names it is given."""

    def __init__(self, name: str = "1980TIC test CA") -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        builder = _validity(x509.CertificateBuilder())
        self.certificate = (
            builder.subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )

    def write_bundle(self, path: Path) -> Path:
        """The root as a CA bundle file, as ``SSL_CERT_FILE`` names one."""
        path.write_bytes(self.certificate.public_bytes(PEM))
        return path

    def issue(self, hostname: str, folder: Path) -> tuple[Path, Path]:
        """A server certificate for ``hostname`` alone: its chain and key files."""
        key = ec.generate_private_key(ec.SECP256R1())
        issuer_key = self._key.public_key()
        builder = _validity(x509.CertificateBuilder())
        certificate = (
            builder.subject_name(_name(hostname))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        chain = folder / f"{hostname}.pem"
        chain.write_bytes(certificate.public_bytes(PEM) + self.certificate.public_bytes(PEM))
        key_file = folder / f"{hostname}.key"
        key_file.write_bytes(
            key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        return chain, key_file
