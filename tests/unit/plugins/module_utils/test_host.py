# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""host: what env-down would put back, computed from a record and the host as it is now."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.docc.platform.plugins.module_utils import _host


@pytest.mark.parametrize("name, valid", [
    ("docc", True), ("docc/node-1", True), ("", False), ("../etc", False), ("docc/../../x", False),
    ("docc node", False),
])
def test_cgroup_names_cannot_escape_the_hierarchy(name, valid):
    assert _host.valid_cgroup_name(name) is valid


def test_the_record_is_private_and_written_atomically(tmp_path):
    path = str(tmp_path / "host" / "record.json")
    _host.write_record(path, {"sysctls": {"net.ipv4.ip_forward": "0"}, "paths": {}})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert _host.read_record(path)["sysctls"] == {"net.ipv4.ip_forward": "0"}
    assert _host.read_record(str(tmp_path / "absent.json")) is None


@pytest.fixture()
def host_now(monkeypatch, tmp_path):
    """A host with our run dir mounted twice, one of our links up and a sysctl changed."""
    root = str(tmp_path / "run")
    monkeypatch.setattr(_host, "mounts", lambda: [
        ("/", "ext4"), (root, "tmpfs"), (root + "/netns/cni-1", "nsfs"), ("/other", "tmpfs")])
    monkeypatch.setattr(_host, "_links", lambda: ["lo", "docc0", "veth1"])
    monkeypatch.setattr(_host, "read_sysctl", lambda name: {"net.ipv4.ip_forward": "1"}.get(name, "0"))
    monkeypatch.setattr(_host, "_shim_pids", lambda roots: [])
    return root


def test_restore_plan_reverses_only_what_the_record_and_our_roots_name(host_now, tmp_path):
    made = tmp_path / "made-by-us"
    made.write_text("x")
    kept = tmp_path / "was-there"
    kept.write_text("x")
    record = {"sysctls": {"net.ipv4.ip_forward": "0", "net.bridge.bridge-nf-call-iptables": "0"},
              "paths": {str(made): False, str(kept): True}}
    plan = _host.restore_plan(record, [host_now], ["docc0", "docc1"], "/sys/fs/cgroup", None)
    assert plan["unmounted"] == [host_now + "/netns/cni-1", host_now]  # deepest first
    assert plan["links"] == ["docc0"]
    assert plan["sysctls"] == {"net.ipv4.ip_forward": "1 -> 0"}
    assert plan["removed"] == [str(made)]
    assert plan["killed"] == [] and plan["cgroups"] == []


def test_without_a_record_nothing_is_put_back_but_our_mounts_still_go(host_now):
    plan = _host.restore_plan(None, [host_now], [], "/sys/fs/cgroup", None)
    assert plan["sysctls"] == {} and plan["removed"] == [] and len(plan["unmounted"]) == 2


def test_without_a_record_another_environments_cgroup_and_bridge_are_left_alone(host_now, monkeypatch):
    # Another environment's node on this host (same names): its pods must not be killed.
    monkeypatch.setattr(_host, "_cgroup_dirs", lambda root, parent: ["/sys/fs/cgroup/pids/%s/kubepods" % parent])
    monkeypatch.setattr(_host, "_cgroup_pids", lambda dirs: [4242] if dirs else [])
    plan = _host.restore_plan(None, [host_now], ["docc0"], "/sys/fs/cgroup", "docc-docc0")
    assert plan["killed"] == [] and plan["cgroups"] == [] and plan["links"] == []
    with_record = _host.restore_plan({"sysctls": {}, "paths": {}}, [host_now], ["docc0"], "/sys/fs/cgroup",
                                     "docc-docc0")
    assert with_record["killed"] == [4242] and with_record["links"] == ["docc0"]
