# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""EKS bearer tokens minted in-process with boto3 (private to docc.platform).

The token is what `aws eks get-token` prints: 'k8s-aws-v1.' + base64url (unpadded) of a
presigned STS GetCallerIdentity URL whose signature covers the 'x-k8s-aws-id' header
(the cluster name). No aws CLI is involved. EKS accepts a token for 15 minutes (aws-iam-
authenticator); ``aws eks get-token`` says it expires after 14.

The collection's own client mints one per request. For kubernetes.core and Helm, whose installs
and waits outlast 15 minutes, ``write_exec_kubeconfig`` writes a kubeconfig whose user is an exec
credential plugin: ``EXEC_PLUGIN``, a small program that prints a fresh ExecCredential each time
a client asks (client-go and the kubernetes Python client call it again when the expiration time
it states has passed), so no token is ever stored and none is stale when used.
"""

from __future__ import annotations

import base64

TOKEN_PREFIX = "k8s-aws-v1."  # noqa: S105 - the token format marker, not a secret
CLUSTER_HEADER = "x-k8s-aws-id"


def mint_token(sts_client, cluster_name, expires_in=60):
    """Bearer token for ``cluster_name`` from an STS client (its endpoint and credentials)."""
    from botocore.signers import RequestSigner  # imported late: botocore is optional for sanity

    meta = sts_client.meta
    signer = RequestSigner(meta.service_model.service_id, meta.region_name, "sts", "v4",
                           sts_client._request_signer._credentials, meta.events)
    request = {
        "method": "GET",
        "url": "%s/?Action=GetCallerIdentity&Version=2011-06-15" % meta.endpoint_url.rstrip("/"),
        "body": {},
        "headers": {CLUSTER_HEADER: cluster_name},
        "context": {},
    }
    url = signer.generate_presigned_url(request, region_name=meta.region_name, expires_in=expires_in,
                                        operation_name="")
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


def decode_token(token):
    """The presigned URL inside a token (for checks and tests)."""
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError("not an EKS token")
    body = token[len(TOKEN_PREFIX):]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")


# The exec credential plugin, written next to the kubeconfig and run with the modules' Python
# (boto3 is there). It signs like mint_token above; tests check that both agree.
EXEC_PLUGIN = r'''# Written by docc.platform: prints a fresh EKS token as a client.authentication.k8s.io ExecCredential.
import base64, datetime, json, sys

import boto3
from botocore.signers import RequestSigner

cluster, region = sys.argv[1], sys.argv[2]
sts = boto3.client("sts", region_name=region)
meta = sts.meta
signer = RequestSigner(meta.service_model.service_id, meta.region_name, "sts", "v4",
                       sts._request_signer._credentials, meta.events)
url = signer.generate_presigned_url(
    {"method": "GET", "url": "%s/?Action=GetCallerIdentity&Version=2011-06-15" % meta.endpoint_url.rstrip("/"),
     "body": {}, "headers": {"x-k8s-aws-id": cluster}, "context": {}},
    region_name=meta.region_name, expires_in=60, operation_name="")
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=14)
json.dump({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1", "spec": {},
           "status": {"expirationTimestamp": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "token": "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")}},
          sys.stdout)
'''


def write_exec_kubeconfig(path, cluster_name, region, host, ca_data, python):
    """A kubeconfig (0600) for ``cluster_name`` whose user runs EXEC_PLUGIN with ``python``; the
    plugin is written beside it as ``<path>.token.py`` (0700). ``ca_data`` is base64 PEM."""
    import os

    import yaml  # PyYAML ships with ansible-core

    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    plugin = path + ".token.py"
    _write(plugin, EXEC_PLUGIN, 0o700)
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": cluster_name,
        "clusters": [{"name": cluster_name, "cluster": {"server": host, "certificate-authority-data": ca_data}}],
        "users": [{"name": cluster_name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": python,
            "args": [plugin, cluster_name, region], "interactiveMode": "Never"}}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
    }
    _write(path, yaml.safe_dump(config, default_flow_style=False), 0o600)
    return plugin


def _write(path, text, mode):
    import os

    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
