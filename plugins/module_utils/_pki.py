# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small private PKI for a local Kubernetes cluster (private to docc.platform).

One CA signs every serving and client certificate the components need; a separate RSA key
pair signs service-account tokens. ``plan`` says which files are missing, expired or no
longer match what is asked (subject, SANs, issuer); ``write`` creates those, mode 0600.
Needs the ``cryptography`` library (a dependency of ansible-core).
"""

from __future__ import annotations

import datetime
import ipaddress
import os

from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - reported by the module
    HAS_CRYPTOGRAPHY = False

# Renew a certificate with less than this left.
RENEW_BEFORE = datetime.timedelta(days=30)


class PkiError(DoccError):
    """A certificate or key could not be read or written."""


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def write_private(path, data):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _sans(values):
    names = []
    for value in values:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(value)))
        except ValueError:
            names.append(x509.DNSName(value))
    return names


def _name(cn, orgs=()):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
                     + [x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _sign(subject, key, issuer_cert, issuer_key, days, ca=False, usages=(), sans=()):
    now = _now()
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               # Key identifiers: Python 3.13's default TLS context verifies strictly (X509 strict), and
               # refuses a chain without them ("Missing Authority Key Identifier").
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   (issuer_key or key).public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
            decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_encipherment=True, key_cert_sign=False, crl_sign=False,
            content_commitment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
            decipher_only=False), critical=True)
        oids = {"server": ExtendedKeyUsageOID.SERVER_AUTH, "client": ExtendedKeyUsageOID.CLIENT_AUTH}
        builder = builder.add_extension(x509.ExtendedKeyUsage([oids[u] for u in usages]), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(_sans(sans)), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _load_cert(path):
    data = _read(path)
    return x509.load_pem_x509_certificate(data) if data else None


def _has_key_identifiers(cert):
    try:
        cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except x509.ExtensionNotFound:
        return False
    return True


def _cert_matches(cert, spec, ca_cert):
    """None when ``cert`` is what ``spec`` asks for, else why not."""
    if cert is None:
        return "missing"
    if cert.not_valid_after_utc - _now() < RENEW_BEFORE:
        return "expires %s" % cert.not_valid_after_utc.date()
    if cert.subject != _name(spec["cn"], spec.get("orgs", ())):
        return "subject differs"
    if ca_cert is not None and cert.issuer != ca_cert.subject:
        return "issued by another CA"
    if not _has_key_identifiers(cert):
        return "no key identifiers (strict TLS clients refuse it)"
    try:
        present = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        have = sorted(str(v.value) for v in present)
    except x509.ExtensionNotFound:
        have = []
    if have != sorted(str(getattr(v, "value", v)) for v in _sans(spec.get("sans", ()))):
        return "subject alternative names differ"
    return None


def plan(directory, certs):
    """{name: reason} of what must be (re)written: 'ca', 'sa' and the names in ``certs``.

    ``certs`` maps a name to {cn, orgs, usages (server/client), sans}.
    """
    todo = {}
    ca_cert = _load_cert(os.path.join(directory, "ca.crt"))
    reason = None if ca_cert is not None and _read(os.path.join(directory, "ca.key")) else "missing"
    if reason is None and ca_cert.not_valid_after_utc - _now() < RENEW_BEFORE:
        reason = "expires %s" % ca_cert.not_valid_after_utc.date()
    if reason is None and not _has_key_identifiers(ca_cert):
        reason = "no key identifiers (strict TLS clients refuse it)"
    if reason:
        todo["ca"] = reason
        ca_cert = None
    if not (_read(os.path.join(directory, "sa.key")) and _read(os.path.join(directory, "sa.pub"))):
        todo["sa"] = "missing"
    for name, spec in sorted(certs.items()):
        cert = _load_cert(os.path.join(directory, name + ".crt"))
        why = "the CA is new" if "ca" in todo else _cert_matches(cert, spec, ca_cert)
        if why is None and not _read(os.path.join(directory, name + ".key")):
            why = "key missing"
        if why:
            todo[name] = why
    return todo


def write(directory, certs, todo, days=365):
    """Write what ``plan`` found missing or stale."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if "ca" in todo:
        ca_key = _key()
        ca_cert = _sign(_name("docc-local-ca"), ca_key, None, None, days * 3, ca=True)
        write_private(os.path.join(directory, "ca.key"), _pem_key(ca_key))
        write_private(os.path.join(directory, "ca.crt"), ca_cert.public_bytes(serialization.Encoding.PEM))
    else:
        ca_cert = _load_cert(os.path.join(directory, "ca.crt"))
        ca_key = serialization.load_pem_private_key(_read(os.path.join(directory, "ca.key")), None)
    if "sa" in todo:
        sa_key = _key()
        write_private(os.path.join(directory, "sa.key"), _pem_key(sa_key))
        write_private(os.path.join(directory, "sa.pub"), sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    for name, spec in sorted(certs.items()):
        if name not in todo:
            continue
        key = _key()
        cert = _sign(_name(spec["cn"], spec.get("orgs", ())), key, ca_cert, ca_key, days,
                     usages=spec.get("usages", ("client",)), sans=spec.get("sans", ()))
        write_private(os.path.join(directory, name + ".key"), _pem_key(key))
        write_private(os.path.join(directory, name + ".crt"), cert.public_bytes(serialization.Encoding.PEM))


def kubeconfig(directory, name, server, user_cert, context="docc-local"):
    """A kubeconfig (YAML text) that authenticates with ``user_cert``'s files in ``directory``."""
    import yaml  # PyYAML ships with ansible-core

    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": context,
        "clusters": [{"name": context, "cluster": {
            "server": server, "certificate-authority": os.path.join(directory, "ca.crt")}}],
        "users": [{"name": name, "user": {
            "client-certificate": os.path.join(directory, user_cert + ".crt"),
            "client-key": os.path.join(directory, user_cert + ".key")}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": name}}],
    }
    return yaml.safe_dump(config, default_flow_style=False)
