# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS bearer tokens minted in-process with boto3 (private to docc.platform).

The token is what `aws eks get-token` prints: 'k8s-aws-v1.' + base64url (unpadded) of a
presigned STS GetCallerIdentity URL whose signature covers the 'x-k8s-aws-id' header
(the cluster name). No aws CLI and no exec plugin are involved; mint one per task, so a
long play never holds an expired (15 min) token.
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
