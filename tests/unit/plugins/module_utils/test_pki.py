# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""local_pki: one CA, certificates re-issued only when they no longer match."""

from __future__ import annotations

import yaml
from cryptography import x509

from ansible_collections.docc.platform.plugins.modules import local_pki
from tests.unit.module_runner import run_module

CERTS = {
    "apiserver": {"cn": "kube-apiserver", "usages": ["server"], "sans": ["127.0.0.1", "localhost"]},
    "admin": {"cn": "docc-admin", "orgs": ["system:masters"], "usages": ["client"]},
}


def _args(tmp_path, certs=None):
    return {"directory": str(tmp_path / "pki"), "certs": certs or CERTS, "kubeconfigs": [
        {"path": str(tmp_path / "admin.kubeconfig"), "server": "https://127.0.0.1:6443", "cert": "admin",
         "user": "docc-admin"}]}


def test_first_run_writes_everything_private_and_the_second_nothing(tmp_path):
    failed, first = run_module(local_pki.main, _args(tmp_path))
    assert not failed and first["changed"]
    assert set(first["written"]) == {"ca", "sa", "apiserver", "admin", str(tmp_path / "admin.kubeconfig")}
    for path in (tmp_path / "pki").iterdir():
        assert oct(path.stat().st_mode & 0o777) == "0o600", path
    cert = x509.load_pem_x509_certificate((tmp_path / "pki" / "admin.crt").read_bytes())
    assert "system:masters" in cert.subject.rfc4514_string()
    config = yaml.safe_load((tmp_path / "admin.kubeconfig").read_text())
    assert config["users"][0]["user"]["client-certificate"].endswith("admin.crt")
    failed, second = run_module(local_pki.main, _args(tmp_path))
    assert not failed and not second["changed"]


def test_a_changed_subject_alternative_name_reissues_only_that_certificate(tmp_path):
    assert not run_module(local_pki.main, _args(tmp_path))[0]
    certs = dict(CERTS, apiserver=dict(CERTS["apiserver"], sans=["127.0.0.1", "localhost", "10.96.0.1"]))
    failed, result = run_module(local_pki.main, _args(tmp_path, certs), check_mode=True)
    assert not failed and result["written"] == {"apiserver": "subject alternative names differ"}
    failed, result = run_module(local_pki.main, _args(tmp_path, certs))
    assert result["written"] == {"apiserver": "subject alternative names differ"}


def test_a_bad_usage_is_refused(tmp_path):
    failed, result = run_module(local_pki.main, _args(tmp_path, {"admin": {"cn": "a", "usages": ["peer"]}}))
    assert failed and "certs.admin.usages may hold server and client" in result["msg"]


def test_certificates_carry_key_identifiers_for_strict_tls_clients(tmp_path):
    """Python 3.13's default TLS context verifies with X509 strict: a chain without an Authority
    Key Identifier fails ("Missing Authority Key Identifier"); the local API server then never
    answered a readiness probe."""
    failed, result = run_module(local_pki.main, _args(tmp_path))
    assert not failed, result
    for name in ["ca"] + sorted(CERTS):
        cert = x509.load_pem_x509_certificate((tmp_path / "pki" / (name + ".crt")).read_bytes())
        assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        assert cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
