#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_pki
short_description: The private CA, certificates, keys and kubeconfigs of a local Kubernetes cluster
version_added: 0.2.0
description:
  - Keeps, in O(directory), one CA (C(ca.crt), C(ca.key)), a service-account signing key pair
    (C(sa.key), C(sa.pub)) and, for each entry of O(certs), a certificate and key signed by that CA.
  - Writes only what is missing, expires within 30 days, or no longer matches its entry (common name,
    organizations, subject alternative names, issuer). A new CA re-issues every certificate.
  - Writes each kubeconfig of O(kubeconfigs), which points at the CA and a certificate's files.
  - Every file is mode 0600. Used by the C(local_env) role; not meant for production clusters.
author:
  - docc.platform maintainers (@docc-platform)
options:
  directory:
    description: Directory of the PKI files.
    type: path
    required: true
  certs:
    description: Certificates by file name (without C(.crt)).
    type: dict
    required: true
  kubeconfigs:
    description: Kubeconfigs to write.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Where to write it.
        type: path
        required: true
      server:
        description: API server URL.
        type: str
        required: true
      cert:
        description: Name of the client certificate in O(certs).
        type: str
        required: true
      user:
        description: User name in the kubeconfig.
        type: str
        required: true
  days:
    description: Validity of the certificates (the CA lives three times as long).
    type: int
    default: 365
extends_documentation_fragment:
  - docc.platform.attributes
attributes:
  check_mode:
    support: full
    details: Reports what it would write and writes nothing.
  diff_mode:
    support: full
    details: The file names and why each would be written.
  idempotent:
    support: full
notes:
  - Each entry of O(certs) is a dict with C(cn), C(orgs) (list), C(usages) (list of C(server) and
    C(client)) and C(sans) (list of IP addresses and DNS names).
"""

EXAMPLES = r"""
- name: PKI of the local cluster
  docc.platform.local_pki:
    directory: "{{ docc_state_dir }}/kubernetes/pki"
    certs:
      apiserver: {cn: kube-apiserver, usages: [server], sans: [127.0.0.1, localhost]}
      admin: {cn: docc-admin, orgs: ["system:masters"], usages: [client]}
    kubeconfigs:
      - {path: "{{ docc_state_dir }}/kubernetes/admin.kubeconfig", server: "https://127.0.0.1:6443",
         cert: admin, user: docc-admin}
"""

RETURN = r"""
written:
  description: Files (re)written, with the reason.
  returned: always
  type: dict
  sample: {"ca": "missing", "apiserver": "subject alternative names differ"}
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.docc.platform.plugins.module_utils import _pki
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def run(module):
    p = module.params
    for name, spec in p["certs"].items():
        if not isinstance(spec, dict) or not spec.get("cn"):
            raise _pki.PkiError("certs.%s needs a dict with at least cn (got %r)" % (name, spec))
        bad = set(spec.get("usages", ["client"])) - {"server", "client"}
        if bad:
            raise _pki.PkiError("certs.%s.usages may hold server and client, not %s" % (name, sorted(bad)))
    todo = _pki.plan(p["directory"], p["certs"])
    configs = {}
    for entry in p["kubeconfigs"]:
        if entry["cert"] not in p["certs"]:
            raise _pki.PkiError("kubeconfigs: cert %r is not in certs" % entry["cert"])
        text = _pki.kubeconfig(p["directory"], entry["user"], entry["server"], entry["cert"])
        if _read(entry["path"]) != text:
            configs[entry["path"]] = text
    written = dict(todo, **{path: "kubeconfig" for path in configs})
    result = dict(changed=bool(written), written=written)
    if module._diff:
        result["diff"] = {"before": "", "after": "".join("%s: %s\n" % item for item in sorted(written.items()))}
    if written and not module.check_mode:
        if todo:
            _pki.write(p["directory"], p["certs"], todo, p["days"])
        for path, text in configs.items():
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            _pki.write_private(path, text.encode("utf-8"))
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directory=dict(type="path", required=True),
            certs=dict(type="dict", required=True),
            kubeconfigs=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="path", required=True),
                server=dict(type="str", required=True),
                cert=dict(type="str", required=True),
                user=dict(type="str", required=True),
            )),
            days=dict(type="int", default=365),
        ),
        supports_check_mode=True,
    )
    if not _pki.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"))
    with fail_on_error(module, "local_pki"):
        result = run(module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
