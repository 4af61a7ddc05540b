"""Cluster tier harness: a real Kubernetes API for tests, never a mock.

Order of preference:
1. ``KUBECONFIG`` when the cluster it names answers ``/readyz``;
2. a throwaway control plane (etcd + kube-apiserver, self-made certificates, PodSecurity
   admission on) started on loopback from envtest-style assets: ``KUBEBUILDER_ASSETS``,
   or the setup-envtest default ``~/.local/share/kubebuilder-envtest/k8s/*/`` holding
   ``kube-apiserver``; ``etcd`` from the same directory or Debian's etcd-server;
3. nothing: the caller reports ``SKIPPED: <reason>``.
"""

from __future__ import annotations

import datetime
import glob
import ipaddress
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ENVTEST_DEFAULT = "~/.local/share/kubebuilder-envtest/k8s"


class HarnessError(Exception):
    """The control plane could not be started; the message carries the log tail."""


def _version_key(path):
    name = os.path.basename(os.path.dirname(path))
    parts = name.split("-")[0].split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


def find_assets(environ=None):
    """(kube_apiserver, etcd, reason): binaries found, or None and why not."""
    environ = os.environ if environ is None else environ
    candidates = []
    if environ.get("KUBEBUILDER_ASSETS"):
        candidates.append(os.path.join(environ["KUBEBUILDER_ASSETS"], "kube-apiserver"))
    found = glob.glob(os.path.join(os.path.expanduser(ENVTEST_DEFAULT), "*", "kube-apiserver"))
    candidates.extend(sorted(found, key=_version_key, reverse=True))
    apiserver = next((c for c in candidates if os.access(c, os.X_OK)), None)
    if not apiserver:
        return None, None, (
            "no reachable KUBECONFIG and no envtest assets (set KUBEBUILDER_ASSETS, or put "
            "kube-apiserver under %s/<version>/)" % ENVTEST_DEFAULT)
    etcd = os.path.join(os.path.dirname(apiserver), "etcd")
    if not os.access(etcd, os.X_OK):
        etcd = shutil.which("etcd")
    if not etcd:
        return apiserver, None, "kube-apiserver found at %s but no etcd (apt-get install etcd-server)" % apiserver
    return apiserver, etcd, None


def get_raw(api, path, timeout=10):
    """GET ``path`` on the API server with the client's own credentials: (status, text)."""
    headers = {}
    for setting in api.configuration.auth_settings().values():
        if setting.get("in") == "header" and setting.get("value"):
            headers[setting["key"]] = setting["value"]
    response = api.call_api("GET", api.configuration.host + path, header_params=headers,
                            _request_timeout=timeout)
    response.read()
    return response.status, response.data.decode()


def kubeconfig_answers(path, timeout=5):
    """(True, detail) when the current context of ``path`` answers GET /readyz."""
    try:
        from kubernetes import config

        api = config.new_client_from_config(config_file=path)
        try:
            status = get_raw(api, "/readyz", timeout)[0]
            return status == 200, "GET /readyz -> %d" % status
        finally:
            api.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable", with the reason
        return False, "%s: %s" % (type(exc).__name__, exc)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _cert(subject_cn, key, issuer=None, issuer_key=None, ca=False, sans=(), org=None, client=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]
    if org:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    subject = x509.Name(attrs)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if sans:
        names = []
        for san in sans:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(san)))
            except ValueError:
                names.append(x509.DNSName(san))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _write(path, data, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


class ControlPlane:
    """etcd + kube-apiserver on loopback with a client-certificate admin kubeconfig."""

    def __init__(self, apiserver, etcd, workdir=None):
        self.apiserver_bin = apiserver
        self.etcd_bin = etcd
        self.dir = workdir or tempfile.mkdtemp(prefix="docc-controlplane-")
        self.procs = []
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        self.url = None

    # --- certificates -------------------------------------------------------------
    def _make_pki(self):
        ca_key = _key()
        ca = _cert("docc-test-ca", ca_key, ca=True)
        server_key = _key()
        server = _cert("kube-apiserver", server_key, issuer=ca, issuer_key=ca_key,
                       sans=("127.0.0.1", "localhost", "10.0.0.1", "kubernetes", "kubernetes.default.svc"))
        admin_key = _key()
        admin = _cert("docc-admin", admin_key, issuer=ca, issuer_key=ca_key, org="system:masters", client=True)
        sa_key = _key()
        pem = serialization.Encoding.PEM
        files = {
            "ca.crt": ca.public_bytes(pem),
            "server.crt": server.public_bytes(pem),
            "server.key": _pem_key(server_key),
            "admin.crt": admin.public_bytes(pem),
            "admin.key": _pem_key(admin_key),
            "sa.key": _pem_key(sa_key),
            "sa.pub": sa_key.public_key().public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo),
        }
        for name, data in files.items():
            _write(os.path.join(self.dir, name), data)

    def _path(self, name):
        return os.path.join(self.dir, name)

    # --- processes ----------------------------------------------------------------
    def _spawn(self, name, argv):
        log = open(self._path(name + ".log"), "wb")  # noqa: SIM115 - lives as long as the process
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        log.close()
        self.procs.append((name, proc))
        return proc

    def _tail(self, name, lines=25):
        try:
            with open(self._path(name + ".log"), errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def _wait(self, name, proc, check, timeout):
        deadline = time.monotonic() + timeout
        delay = 0.1
        last = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise HarnessError("%s exited with %s:\n%s" % (name, proc.returncode, self._tail(name)))
            try:
                if check():
                    return
            except (OSError, urllib.error.URLError, ssl.SSLError) as exc:
                last = exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        raise HarnessError("%s not ready after %ss (last error: %s):\n%s" % (name, timeout, last, self._tail(name)))

    def _get(self, path, timeout=3):
        ctx = ssl.create_default_context(cafile=self._path("ca.crt"))
        ctx.load_cert_chain(self._path("admin.crt"), self._path("admin.key"))
        with urllib.request.urlopen(self.url + path, context=ctx, timeout=timeout) as resp:  # noqa: S310 - https
            return resp.status, resp.read().decode()

    def start(self, timeout=90):
        self._make_pki()
        etcd_client, etcd_peer, secure = _free_port(), _free_port(), _free_port()
        etcd = self._spawn("etcd", [
            self.etcd_bin, "--name", "docc", "--data-dir", self._path("etcd"),
            "--listen-client-urls", "http://127.0.0.1:%d" % etcd_client,
            "--advertise-client-urls", "http://127.0.0.1:%d" % etcd_client,
            "--listen-peer-urls", "http://127.0.0.1:%d" % etcd_peer,
            "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % etcd_peer,
            "--initial-cluster", "docc=http://127.0.0.1:%d" % etcd_peer,
            "--unsafe-no-fsync",
        ])

        def etcd_healthy():
            with urllib.request.urlopen("http://127.0.0.1:%d/health" % etcd_client, timeout=2) as resp:  # noqa: S310
                return resp.status == 200

        self._wait("etcd", etcd, etcd_healthy, timeout)
        self.url = "https://127.0.0.1:%d" % secure
        apiserver = self._spawn("kube-apiserver", [
            self.apiserver_bin,
            "--etcd-servers", "http://127.0.0.1:%d" % etcd_client,
            "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
            "--secure-port", str(secure), "--cert-dir", self._path("certs"),
            "--tls-cert-file", self._path("server.crt"), "--tls-private-key-file", self._path("server.key"),
            "--client-ca-file", self._path("ca.crt"),
            "--service-account-issuer", "https://kubernetes.default.svc",
            "--service-account-key-file", self._path("sa.pub"),
            "--service-account-signing-key-file", self._path("sa.key"),
            "--service-cluster-ip-range", "10.0.0.0/24",
            "--authorization-mode", "RBAC",
            # Privileged pods are allowed cluster-wide, so a rejection can only come from
            # Pod Security admission (on by default) and the namespace's labels.
            "--allow-privileged=true",
        ])
        self._wait("kube-apiserver", apiserver, lambda: self._get("/readyz")[0] == 200, timeout)
        self._write_kubeconfig()
        return self

    def _write_kubeconfig(self):
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{
                "name": "docc-test",
                "cluster": {"server": self.url, "certificate-authority": self._path("ca.crt")},
            }],
            "users": [{
                "name": "docc-admin",
                "user": {"client-certificate": self._path("admin.crt"), "client-key": self._path("admin.key")},
            }],
            "contexts": [{"name": "docc-test", "context": {"cluster": "docc-test", "user": "docc-admin"}}],
            "current-context": "docc-test",
        }
        _write(self.kubeconfig, yaml.safe_dump(config).encode())

    def stop(self, grace=10):
        """Stop our processes by PID (apiserver first), then remove the work directory."""
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        self.procs = []
        shutil.rmtree(self.dir, ignore_errors=True)
