# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one place docc.platform builds Kubernetes API connections (private to the collection).

``CONNECTION_SPEC`` is the argument spec of every module's ``kubernetes`` option (documented
by the ``docc.platform.kubernetes`` doc fragment); ``connect`` turns those options into a
small JSON client: host + CA + bearer token (an EKS token minted per request, or a static
token) or client certificates (kubeconfig). Lower layers raise K8sError subclasses.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.urls import open_url

from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError, Retryable

DEFAULT_SKIP_REASON = "no reachable Kubernetes API in this environment"

CONNECTION_OPTIONS = dict(
    mode=dict(type="str", choices=["eks_token", "kubeconfig", "token", "skip"]),
    cluster_name=dict(type="str"),
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
    host=dict(type="str"),
    api_key=dict(type="str", no_log=True),
    ca_cert=dict(type="path"),
    skip_reason=dict(type="str", default=DEFAULT_SKIP_REASON),
)

# No default dict and no required_if: with either, ansible-core 2.19 checks the choices of an
# unset mode when another option is given, and fails. connect() names missing options instead.
CONNECTION_SPEC = dict(type="dict", options=CONNECTION_OPTIONS)

# kubernetes.core's environment variables, in its precedence: an option given to the module
# wins, then K8S_AUTH_<option>, then K8S_AUTH_<its other name> (k8s/client.py _create_auth_spec).
AUTH_ENVIRONMENT = {
    "kubeconfig": ("K8S_AUTH_KUBECONFIG",),
    "context": ("K8S_AUTH_CONTEXT",),
    "host": ("K8S_AUTH_HOST",),
    "api_key": ("K8S_AUTH_API_KEY",),
    "ca_cert": ("K8S_AUTH_CA_CERT", "K8S_AUTH_SSL_CA_CERT"),
}


class K8sError(DoccError):
    """A Kubernetes API call failed for a reason waiting will not cure."""


class K8sUnreachable(K8sError, Retryable):
    """The API server did not answer (connection refused, timeout, TLS not ready)."""


class K8sUnauthorized(K8sError):
    """The API server answered 401: the credentials are not accepted."""

    def __init__(self, msg, host=None):
        super().__init__(msg, host=host)
        self.host = host


def with_environment(options, environ=None):
    """``options`` completed from the K8S_AUTH_* variables that kubernetes.core users set, with
    kubernetes.core's precedence (an option given wins). An explicit mode other than kubeconfig
    or token takes nothing from the environment: an EKS token or a skip means just that."""
    options = dict(options or {})
    if options.get("mode") in ("eks_token", "skip"):
        return options
    environ = os.environ if environ is None else environ
    for name, variables in AUTH_ENVIRONMENT.items():
        if options.get(name) is None:
            value = next((environ[v] for v in variables if environ.get(v)), None)
            if value is not None:
                options[name] = value
    return options


def mode_of(options, default_cluster_name=None):
    """The effective connection mode: explicit; else eks_token with a cluster name, token with
    a host, kubeconfig otherwise."""
    options = options or {}
    if options.get("mode"):
        return options["mode"]
    if options.get("cluster_name") or default_cluster_name:
        return "eks_token"
    return "token" if options.get("host") else "kubeconfig"


class Client:
    """JSON Kubernetes API client. ``token_source`` is called per request when given.

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

    def request(self, method, path, body=None, query=None):
        """(status, parsed JSON or text) of ``method path``.

        Raises K8sUnreachable when the server does not answer and K8sUnauthorized on 401;
        every other HTTP status is returned to the caller.
        """
        headers = {"Accept": "application/json"}
        token = self.token_source() if self.token_source else self.token
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        url = self.host + path + ("?" + urlencode(query) if query else "")
        self.requests += 1
        try:
            resp = open_url(url, method=method, data=data, headers=headers, timeout=self.timeout,
                            validate_certs=not self.insecure, ca_path=self.ca_file, client_cert=self.client_cert,
                            client_key=self.client_key, use_proxy=False)
            status, raw = resp.getcode(), resp.read()
        except HTTPError as err:
            status, raw = err.code, err.read()
        except (URLError, OSError) as err:
            raise K8sUnreachable("cannot reach the Kubernetes API at %s: %s"
                                 % (self.host, getattr(err, "reason", err)), host=self.host) from err
        text = raw.decode("utf-8", "replace")
        if status == 401:
            raise K8sUnauthorized("%s %s -> 401 %s" % (method, path, text.strip()[:200]), host=self.host)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def get(self, path, query=None):
        return self.request("GET", path, query=query)


def _write_private(data, suffix, keep):
    handle = tempfile.NamedTemporaryFile(prefix="docc-k8s-", suffix=suffix, delete=False)  # noqa: SIM115
    with handle:
        handle.write(data)
    os.chmod(handle.name, 0o600)
    keep.append(handle.name)
    return handle.name


def _materialise(data_b64, suffix, keep):
    return _write_private(base64.b64decode(data_b64), suffix, keep)


def load_kubeconfig(path, context=None):
    """(cluster, user, context name) entries of ``context`` (default: current-context)."""
    import yaml  # PyYAML ships with ansible-core

    try:
        with open(path) as handle:
            config = yaml.safe_load(handle) or {}
    except OSError as exc:
        raise K8sError("cannot read the kubeconfig %s: %s. Set kubernetes.kubeconfig to a readable file."
                       % (path, exc.strerror)) from exc
    name = context or config.get("current-context")
    ctx = next((c["context"] for c in config.get("contexts", []) if c["name"] == name), None)
    if ctx is None:
        raise K8sError("kubeconfig %s has no context %r; set kubernetes.context to one of %s"
                       % (path, name, [c["name"] for c in config.get("contexts", [])]))
    cluster = next((c["cluster"] for c in config.get("clusters", []) if c["name"] == ctx["cluster"]), None)
    if cluster is None:
        raise K8sError("kubeconfig %s: context %r names cluster %r, which it does not define"
                       % (path, name, ctx["cluster"]))
    user = next((u["user"] for u in config.get("users", []) if u["name"] == ctx.get("user")), {}) or {}
    return cluster, user, name


def from_kubeconfig(path, context=None, cleanup=None):
    """Client for ``context`` of a kubeconfig file.

    Inline certificate data is written to private temporary files whose paths are appended
    to ``cleanup`` (the caller removes them). Exec plugins are not run: use an EKS token.
    """
    cleanup = cleanup if cleanup is not None else []
    cluster, user, name = load_kubeconfig(path, context)
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
        raise K8sError("kubeconfig %s, context %s: the user runs an exec plugin, which this module does not run. "
                       "Use kubernetes.mode=eks_token with kubernetes.cluster_name for EKS." % (path, name))
    return Client(cluster["server"], ca_data=ca_data, ca_file=ca_file, token=token, client_cert=cert,
                  client_key=key, insecure=bool(cluster.get("insecure-skip-tls-verify")), cleanup=cleanup)


def default_kubeconfig():
    """First path of KUBECONFIG, else ~/.kube/config."""
    return os.environ.get("KUBECONFIG", "").split(os.pathsep)[0] or os.path.join(
        os.environ.get("HOME", "/"), ".kube", "config")


def eks_endpoint(eks, cluster_name):
    """(endpoint URL, CA PEM text) of an EKS cluster from DescribeCluster."""
    cluster = eks.describe_cluster(name=cluster_name, aws_retry=True)["cluster"]
    if not cluster.get("endpoint") or not cluster.get("certificateAuthority", {}).get("data"):
        raise K8sError("EKS cluster %s reports no endpoint or CA yet (status %s); wait until it is ACTIVE"
                       % (cluster_name, cluster.get("status")))
    ca = base64.b64decode(cluster["certificateAuthority"]["data"]).decode("utf-8", "replace")
    return cluster["endpoint"], ca


def connect(options, cleanup, aws_client=None, default_cluster_name=None):
    """A Client from a module's ``kubernetes`` options, or None in mode skip.

    ``aws_client(service)`` builds AWS clients (from _aws.client) for mode eks_token.
    """
    options = with_environment(options)
    mode = mode_of(options, default_cluster_name)
    missing = {"token": ["host", "api_key"], "eks_token": []}.get(mode, [])
    missing = [name for name in missing if not options.get(name)]
    if mode == "eks_token" and not (options.get("cluster_name") or default_cluster_name):
        missing.append("cluster_name")
    if missing:
        raise K8sError("kubernetes.mode=%s needs %s" % (mode, ", ".join("kubernetes." + m for m in missing)))
    if mode == "skip":
        return None
    if mode == "eks_token":
        from ansible_collections.docc.platform.plugins.module_utils import _eks_auth

        name = options.get("cluster_name") or default_cluster_name
        if aws_client is None:
            raise K8sError("kubernetes.mode=eks_token needs AWS credentials (this module has none)")
        host, ca = eks_endpoint(aws_client("eks"), name)
        sts = aws_client("sts")
        return Client(host, ca_data=ca, cleanup=cleanup, token_source=lambda: _eks_auth.mint_token(sts, name))
    if mode == "token":
        return Client(options["host"], ca_file=options.get("ca_cert"), token=options["api_key"])
    return from_kubeconfig(options.get("kubeconfig") or default_kubeconfig(), options.get("context"), cleanup)


def skip_reason(options):
    return (options or {}).get("skip_reason") or DEFAULT_SKIP_REASON


def remove_files(paths):
    """Remove the temporary files ``connect`` wrote (already gone is fine)."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def write_kubeconfig(path, name, host, token, ca_data=None):
    """Write a token kubeconfig (mode 0600, atomically); ``ca_data`` is base64 PEM."""
    import yaml  # PyYAML ships with ansible-core

    cluster = {"server": host}
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
    }
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(config, handle, default_flow_style=False)
    os.replace(tmp, path)
