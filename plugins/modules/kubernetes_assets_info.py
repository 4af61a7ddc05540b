#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kubernetes_assets_info
short_description: Which local Kubernetes a machine can run, from envtest-style assets
version_added: 0.2.0
description:
  - Looks for Kubernetes binaries the way setup-envtest lays them out - in O(assets_dir), else in
    C(KUBEBUILDER_ASSETS), else in the newest C(<version>-<os>-<arch>) directory under O(search_root)
    - and for what a node needs besides (containerd, runc, the CNI bridge plugin, etcd).
  - RV(mode) is C(node) when kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
    etcd, containerd, runc and the CNI plugins are all there (a single node that runs pods),
    C(control_plane) with kube-apiserver and etcd only, and C(none) otherwise. RV(reason) says which
    asset is missing and where it was looked for.
author:
  - docc.platform maintainers (@docc-platform)
options:
  assets_dir:
    description:
      - Directory holding the binaries.
      - Default is C(KUBEBUILDER_ASSETS), then the newest version under O(search_root).
    type: path
  search_root:
    description: setup-envtest's asset directory.
    type: path
    default: ~/.local/share/kubebuilder-envtest/k8s
  cni_bin_dir:
    description: Directory of the CNI plugins.
    type: path
    default: /usr/lib/cni
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
"""

EXAMPLES = r"""
- name: What local Kubernetes can this machine run?
  docc.platform.kubernetes_assets_info:
  register: __assets
"""

RETURN = r"""
mode:
  description: C(node), C(control_plane) or C(none).
  returned: always
  type: str
  sample: node
reason:
  description: Why the mode is not C(node) (what is missing, and where it was looked for); empty for C(node).
  returned: always
  type: str
  sample: "kube-apiserver not found (looked in KUBEBUILDER_ASSETS (unset), ~/.local/share/kubebuilder-envtest/k8s/*/)"
assets_dir:
  description: Directory the Kubernetes binaries were found in.
  returned: always
  type: str
  sample: /root/.local/share/kubebuilder-envtest/k8s/1.36.2-linux-amd64
version:
  description: Kubernetes version of the assets (from the directory name), when known.
  returned: always
  type: str
  sample: 1.36.2
binaries:
  description: Path of each program, or null when missing.
  returned: always
  type: dict
  sample: {"kube-apiserver": "/root/.local/share/kubebuilder-envtest/k8s/1.36.2-linux-amd64/kube-apiserver"}
"""

import glob
import os
import re

from ansible.module_utils.basic import AnsibleModule

CONTROL_PLANE = ("kube-apiserver",)
NODE = ("kube-controller-manager", "kube-scheduler", "kubelet")
HOST = ("etcd", "containerd", "runc")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def _version_key(path):
    match = _VERSION.match(os.path.basename(path))
    return tuple(int(x) for x in match.groups()) if match else (0, 0, 0)


def find_dir(explicit, environ, search_root):
    """(directory or None, where we looked)."""
    if explicit:
        return explicit, [explicit]
    looked = ["KUBEBUILDER_ASSETS (%s)" % (environ.get("KUBEBUILDER_ASSETS") or "unset")]
    if environ.get("KUBEBUILDER_ASSETS") and os.path.exists(os.path.join(environ["KUBEBUILDER_ASSETS"],
                                                                         "kube-apiserver")):
        return environ["KUBEBUILDER_ASSETS"], looked
    root = search_root
    looked.append(os.path.join(search_root, "*/"))
    candidates = [d for d in glob.glob(os.path.join(root, "*")) if os.path.exists(os.path.join(d, "kube-apiserver"))]
    if candidates:
        return sorted(candidates, key=_version_key)[-1], looked
    return None, looked


def assess(directory, looked, which, cni_bin_dir):
    binaries = {}
    for name in CONTROL_PLANE + NODE:
        path = os.path.join(directory, name) if directory else None
        binaries[name] = path if path and os.access(path, os.X_OK) else None
    for name in HOST:
        local = os.path.join(directory, name) if directory else None
        binaries[name] = local if local and os.access(local, os.X_OK) else which(name)
    bridge = os.path.join(cni_bin_dir, "bridge")
    binaries["cni-bridge"] = bridge if os.access(bridge, os.X_OK) else None
    version = _VERSION.match(os.path.basename(directory)) if directory else None
    result = dict(assets_dir=directory, binaries=binaries, version=".".join(version.groups()) if version else None)
    if not binaries["kube-apiserver"]:
        result.update(mode="none", reason="kube-apiserver not found (looked in %s)" % ", ".join(looked))
    elif not binaries["etcd"]:
        result.update(mode="none", reason="kube-apiserver found in %s but no etcd (apt-get install etcd-server)"
                      % directory)
    else:
        missing = [n for n in NODE + ("containerd", "runc", "cni-bridge") if not binaries[n]]
        result.update(mode="control_plane" if missing else "node",
                      reason="control plane only, no node: missing %s (%s; containerd, runc and the CNI plugins "
                             "come from Debian's containerd, runc and containernetworking-plugins)"
                             % (", ".join(missing), directory) if missing else "")
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            assets_dir=dict(type="path"),
            search_root=dict(type="path", default="~/.local/share/kubebuilder-envtest/k8s"),
            cni_bin_dir=dict(type="path", default="/usr/lib/cni"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    directory, looked = find_dir(p["assets_dir"], os.environ, p["search_root"])
    result = assess(directory, looked, module.get_bin_path, p["cni_bin_dir"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
