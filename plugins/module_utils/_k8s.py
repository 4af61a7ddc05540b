# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place docc.platform builds Kubernetes API connections (private to the collection).

A deliberately small read-only client: GET with host + CA + bearer token (EKS token,
static token) or client certificates (kubeconfig). Lower layers raise K8sError.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url


class K8sError(Exception):
    pass


class Client:
    """GET-only Kubernetes API client. ``token_source`` is called per request when given.

    ``ca_data`` (PEM text) is written to a private temporary file listed in ``cleanup``.
    """

    def __init__(self, host, ca_data=None, ca_file=None, token=None, token_source=None, client_cert=None,
                 client_key=None, insecure=False, timeout=10, cleanup=None):
        self.host = host.rstrip("/")
        self.token = token
        self.token_source = token_source
        self.timeout = timeout
        self.requests = 0
        if ca_data and not ca_file:
            cleanup = cleanup if cleanup is not None else []
            ca_file = _write_private(ca_data.encode("utf-8"), ".crt", cleanup)
        self.ca_file = ca_file
        self.client_cert = client_cert
        self.client_key = client_key
        self.insecure = insecure

    def get(self, path):
        """(status, parsed JSON or text) of GET ``path``; network errors raise K8sError."""
        headers = {"Accept": "application/json"}
        token = self.token_source() if self.token_source else self.token
        if token:
            headers["Authorization"] = "Bearer " + token
        self.requests += 1
        try:
            resp = open_url(self.host + path, headers=headers, timeout=self.timeout, validate_certs=not self.insecure,
                            ca_path=self.ca_file, client_cert=self.client_cert, client_key=self.client_key,
                            use_proxy=False)
            status, raw = resp.getcode(), resp.read()
        except HTTPError as err:
            status, raw = err.code, err.read()
        except (URLError, OSError) as err:
            raise K8sError("cannot reach the Kubernetes API at %s: %s"
                           % (self.host, getattr(err, "reason", err))) from err
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text


def _write_private(data, suffix, keep):
    handle = tempfile.NamedTemporaryFile(prefix="docc-k8s-", suffix=suffix, delete=False)  # noqa: SIM115
    with handle:
        handle.write(data)
    os.chmod(handle.name, 0o600)
    keep.append(handle.name)
    return handle.name


def _materialise(data_b64, suffix, keep):
    return _write_private(base64.b64decode(data_b64), suffix, keep)


def from_kubeconfig(path, context=None, cleanup=None):
    """Client for ``context`` (default: current-context) of a kubeconfig file.

    Inline certificate data is written to private temporary files whose paths are appended
    to ``cleanup`` (the caller removes them). Exec plugins are not run: use an EKS token.
    """
    import yaml  # PyYAML ships with ansible-core

    cleanup = cleanup if cleanup is not None else []
    with open(path) as handle:
        config = yaml.safe_load(handle)
    name = context or config.get("current-context")
    ctx = next((c["context"] for c in config.get("contexts", []) if c["name"] == name), None)
    if ctx is None:
        raise K8sError("kubeconfig %s has no context %r" % (path, name))
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == ctx["cluster"])
    user = next((u["user"] for u in config.get("users", []) if u["name"] == ctx.get("user")), {}) or {}
    base = os.path.dirname(os.path.abspath(path))

    def rel(value):
        return value if os.path.isabs(value) else os.path.join(base, value)

    ca_file = rel(cluster["certificate-authority"]) if cluster.get("certificate-authority") else None
    ca_data = base64.b64decode(cluster["certificate-authority-data"]).decode() \
        if cluster.get("certificate-authority-data") else None
    cert = rel(user["client-certificate"]) if user.get("client-certificate") else None
    key = rel(user["client-key"]) if user.get("client-key") else None
    if user.get("client-certificate-data"):
        cert = _materialise(user["client-certificate-data"], ".crt", cleanup)
    if user.get("client-key-data"):
        key = _materialise(user["client-key-data"], ".key", cleanup)
    token = user.get("token")
    if not token and user.get("tokenFile"):
        with open(rel(user["tokenFile"])) as handle:
            token = handle.read().strip()
    if user.get("exec") and not token and not cert:
        raise K8sError("kubeconfig user %r uses an exec plugin; pass cluster_name to mint an EKS token instead"
                       % ctx.get("user"))
    return Client(cluster["server"], ca_data=ca_data, ca_file=ca_file, token=token, client_cert=cert,
                  client_key=key, insecure=bool(cluster.get("insecure-skip-tls-verify")), cleanup=cleanup)


def default_kubeconfig():
    """First path of KUBECONFIG, else ~/.kube/config."""
    return os.environ.get("KUBECONFIG", "").split(os.pathsep)[0] or os.path.join(
        os.environ.get("HOME", "/"), ".kube", "config")


def from_options(options, cleanup):
    """Client from a module's connection options: host + api_key (+ ca_cert), else a
    kubeconfig (options' path, KUBECONFIG, ~/.kube/config) and context."""
    if options.get("host"):
        return Client(options["host"], ca_file=options.get("ca_cert"), token=options.get("api_key"))
    return from_kubeconfig(options.get("kubeconfig") or default_kubeconfig(), options.get("context"), cleanup)
