# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kubernetes_connection: one private kubeconfig per play; the token never in the result."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import shutil
import ssl
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
import yaml

from ansible_collections.docc.platform.plugins.module_utils import _eks_auth
from ansible_collections.docc.platform.plugins.modules import kubernetes_connection
from tests.unit.module_runner import run_module


@pytest.fixture()
def cluster(moto_aws):
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="eks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    return boto3.client("eks").create_cluster(name="docc", roleArn=role,
                                              resourcesVpcConfig={"subnetIds": [subnet]})["cluster"]


def _user_token(path):
    with open(path) as handle:
        return yaml.safe_load(handle)["users"][0]["user"]["token"]


def test_eks_token_writes_a_private_kubeconfig_with_an_exec_plugin_and_no_token(cluster, tmp_path):
    path = str(tmp_path / "kube" / "docc.kubeconfig")
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "eks_token", "cluster_name": "docc"}, "path": path})
    assert not failed, result
    assert result["changed"] is False and result["kubeconfig"] == path and result["context"] == "docc"
    assert result["host"] == cluster["endpoint"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        user = yaml.safe_load(handle)["users"][0]["user"]
    assert "token" not in user
    assert user["exec"]["command"] == sys.executable
    assert user["exec"]["args"] == [path + ".token.py", "docc", "eu-west-1"]


def test_the_exec_plugin_mints_a_fresh_token_each_time_it_is_asked(cluster, tmp_path):
    """Two Helm installs with wait outlast the 15 minutes EKS accepts a token for (issue 19, item 7):
    every client asks the plugin again once the expiration it was told has passed."""
    path = str(tmp_path / "docc.kubeconfig")
    assert not run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "eks_token", "cluster_name": "docc"}, "path": path})[0]
    tokens = []
    for _dummy in range(2):
        out = subprocess.run([sys.executable, path + ".token.py", "docc", "eu-west-1"], capture_output=True,
                             text=True, check=True).stdout
        credential = json.loads(out)
        assert credential["kind"] == "ExecCredential"
        expires = datetime.datetime.strptime(credential["status"]["expirationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
        left = expires.replace(tzinfo=datetime.timezone.utc) - datetime.datetime.now(datetime.timezone.utc)
        assert datetime.timedelta(minutes=13) < left <= datetime.timedelta(minutes=14)
        url = _eks_auth.decode_token(credential["status"]["token"])
        assert "Action=GetCallerIdentity" in url and "x-k8s-aws-id" in url
        tokens.append(credential["status"]["token"])
        time.sleep(1.1)  # a signature covers the second it was made in
    assert tokens[0] != tokens[1]


def test_an_absent_cluster_is_a_clear_failure(moto_aws, tmp_path):
    path = str(tmp_path / "k.kubeconfig")
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "eks_token", "cluster_name": "nope"}, "path": path})
    assert failed and "nope" in result["msg"] and not os.path.exists(path)


def test_static_token_mode_writes_the_token_only_to_the_file(tmp_path):
    path = str(tmp_path / "k.kubeconfig")
    secret = "docc-unit-static-token-7"
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "token", "host": "https://127.0.0.1:6443", "api_key": secret}, "path": path})
    assert not failed and secret not in json.dumps(result) and _user_token(path) == secret


def test_skip_mode_returns_the_reason_and_no_kubeconfig(tmp_path):
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "skip", "skip_reason": "no local cluster assets"}, "path": str(tmp_path / "k")})
    assert not failed and result["kubeconfig"] is None and result["skip_reason"] == "no local cluster assets"


def _self_signed_for_loopback():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl comes from make setup (.venv/bin)")
def test_a_real_client_presents_the_plugins_token(tmp_path, fake_aws_env):
    """kubectl (client-go, as Helm) runs the plugin and sends its token: nothing stored, nothing stale."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append(self.headers.get("Authorization", ""))
            body = json.dumps({"major": "1", "minor": "36", "gitVersion": "v1.36.3"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    cert_pem, key_pem = _self_signed_for_loopback()
    (tmp_path / "tls.crt").write_bytes(cert_pem)
    (tmp_path / "tls.key").write_bytes(key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tmp_path / "tls.crt"), str(tmp_path / "tls.key"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = str(tmp_path / "k.kubeconfig")
    try:
        # client-go sends exec credentials over TLS only, as it would to EKS.
        _eks_auth.write_exec_kubeconfig(path, "docc", "eu-west-1", "https://127.0.0.1:%d" % server.server_address[1],
                                        base64.b64encode(cert_pem).decode(), sys.executable)
        out = subprocess.run(["kubectl", "--kubeconfig", path, "version", "-o", "json"], capture_output=True,
                             text=True, check=False)
    finally:
        server.shutdown()
    assert '"gitVersion": "v1.36.3"' in out.stdout, out.stderr
    assert seen and all(h.startswith("Bearer k8s-aws-v1.") for h in seen), seen
