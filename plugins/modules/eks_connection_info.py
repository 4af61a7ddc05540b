#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_connection_info
short_description: Mint Kubernetes connection settings for an EKS cluster (host, CA, bearer token)
version_added: 0.1.0
description:
  - Reads the cluster's endpoint and CA through DescribeCluster. It writes the CA to
    O(ca_cert_path) (mode 0600) and mints a C(k8s-aws-v1.) bearer token in-process from
    the caller's AWS credentials. No aws CLI and no exec plugin are involved.
  - The result feeds kubernetes.core modules through their C(host), C(ca_cert) and
    C(api_key) options. Register it with C(no_log), because the token is a credential.
  - Tokens expire after 15 minutes (the presigned URL lives 60 seconds, EKS allows 15
    minutes). Call this module again before each group of Kubernetes tasks in a long play.
author:
  - docc.platform maintainers (@docc-platform)
options:
  cluster_name:
    description: EKS cluster name.
    type: str
    required: true
  ca_cert_path:
    description: Where to write the cluster CA bundle.
    type: path
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Mints a token and writes the CA file in check mode too; neither changes the cluster.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: Running it twice with the same arguments reports no change the second time.
    support: partial
    details: The token differs on every call; C(changed) only reflects the CA file.
"""

EXAMPLES = r"""
- name: Connection settings for the cluster
  docc.platform.eks_connection_info:
    cluster_name: docc
    ca_cert_path: "{{ docc_state_dir }}/eks/ca.crt"
  register: __k8s
  no_log: true

- name: Create the namespace
  kubernetes.core.k8s:
    host: "{{ __k8s.host }}"
    ca_cert: "{{ __k8s.ca_cert }}"
    api_key: "{{ __k8s.api_key }}"
    kind: Namespace
    name: docc-sample
"""

RETURN = r"""
host:
  description: API server URL.
  returned: success
  type: str
  sample: https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com
ca_cert:
  description: Path of the CA bundle file.
  returned: success
  type: str
  sample: /var/tmp/docc/eks/ca.crt
api_key:
  description: Bearer token (k8s-aws-v1.…). Valid for 15 minutes at most.
  returned: success
  type: str
  sample: k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20v...
"""

import base64
import os

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _eks_auth


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(cluster_name=dict(type="str", required=True), ca_cert_path=dict(type="path", required=True)),
        supports_check_mode=True,
    )
    name = module.params["cluster_name"]
    path = module.params["ca_cert_path"]
    try:
        cluster = _aws.client(module, "eks").describe_cluster(name=name, aws_retry=True)["cluster"]
        token = _eks_auth.mint_token(_aws.client(module, "sts"), name)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="Cannot build a connection to EKS cluster %s" % name)
    ca = base64.b64decode(cluster["certificateAuthority"]["data"])
    changed = True
    if os.path.exists(path):
        with open(path, "rb") as handle:
            changed = handle.read() != ca
    if changed:
        directory = os.path.dirname(path)
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(ca)
    module.exit_json(changed=changed, host=cluster["endpoint"], ca_cert=path, api_key=token)


if __name__ == "__main__":
    main()
