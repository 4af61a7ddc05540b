# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a local engine changes on its host, recorded and put back (private to docc.platform).

Linux only: reads /proc/sys, /proc/self/mountinfo and the cgroup v1 hierarchies. Lower layers
raise HostError; every change is limited to what the caller names (its state directories,
its interface names, its cgroup).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import re
import shutil
import signal

from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError
from ansible_collections.docc.platform.plugins.module_utils._waiter import poll

_CGROUP_NAME = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
MNT_DETACH = 2


class HostError(DoccError):
    """The host could not be recorded or put back."""


def valid_cgroup_name(name):
    return bool(_CGROUP_NAME.match(name or "")) and ".." not in name.split("/")


def _sysctl_path(name):
    return "/proc/sys/" + name.replace(".", "/")


def read_sysctl(name):
    try:
        with open(_sysctl_path(name)) as handle:
            return handle.read().strip()
    except OSError as exc:
        raise HostError("cannot read sysctl %s: %s" % (name, exc.strerror)) from exc


def snapshot(sysctls, paths):
    return {"sysctls": {name: read_sysctl(name) for name in sysctls},
            "paths": {path: os.path.lexists(path) for path in paths}}


def read_record(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def write_record(path, record):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle, indent=2, sort_keys=True)
    os.replace(path + ".tmp", path)


# --- cgroups (v1 hierarchies, and the v2 one when mounted beside them) -----------------

def _unescape(field):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mounts():
    """[(mount point, fstype)] from /proc/self/mountinfo."""
    found = []
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            left, dummy, right = line.partition(" - ")
            found.append((_unescape(left.split()[4]), right.split()[0]))
    return found


def hierarchies(cgroup_root, include_v2=False):
    types = ("cgroup", "cgroup2") if include_v2 else ("cgroup",)
    return sorted(point for point, fstype in mounts()
                  if fstype in types and (point == cgroup_root or point.startswith(cgroup_root + "/")))


def missing_cgroups(cgroup_root, parent):
    return [os.path.join(h, parent) for h in hierarchies(cgroup_root) if not os.path.isdir(os.path.join(h, parent))]


def make_cgroups(cgroup_root, parent):
    for path in missing_cgroups(cgroup_root, parent):
        os.makedirs(path, exist_ok=True)
        if os.path.exists(os.path.join(path, "cpuset.cpus")):
            for name in ("cpuset.cpus", "cpuset.mems"):
                with open(os.path.join(os.path.dirname(path), name)) as src:
                    value = src.read().strip()
                with open(os.path.join(path, name), "w") as dst:
                    dst.write(value)


def _cgroup_dirs(cgroup_root, parent):
    dirs = []
    for h in hierarchies(cgroup_root, include_v2=True):
        top = os.path.join(h, parent)
        for base, subdirs, _files in os.walk(top):
            dirs.extend(os.path.join(base, d) for d in subdirs)
        if os.path.isdir(top):
            dirs.append(top)
    return sorted(set(dirs), key=lambda d: d.count("/"), reverse=True)


def _cgroup_pids(dirs):
    pids = set()
    for d in dirs:
        try:
            with open(os.path.join(d, "cgroup.procs")) as handle:
                pids.update(int(p) for p in handle.read().split())
        except OSError:
            continue
    return sorted(pids)


def _shim_pids(roots):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                argv = [a.decode("utf-8", "replace") for a in handle.read().split(b"\0") if a]
        except OSError:
            continue
        if argv and os.path.basename(argv[0]).startswith("containerd-shim") and any(
                root in arg for root in roots for arg in argv):
            pids.append(int(entry))
    return sorted(pids)


def _ours(path, roots):
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _links():
    return sorted(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else []


def restore_plan(record, roots, links, cgroup_root, parent):
    """What restore would do, from the host as it is now.

    Without a record this environment never started a node (the record is written before
    the kubelet runs), so cgroups and links of the names given are not ours and stay: the
    cgroup hierarchy and the link names are shared with every other environment on the host.
    Mounts and shims under our own roots are ours by their path and always go.
    """
    dirs = _cgroup_dirs(cgroup_root, parent) if parent and record else []
    plan = {
        "killed": sorted(set(_cgroup_pids(dirs)) | set(_shim_pids(roots))) if roots or dirs else [],
        "unmounted": sorted({p for p, dummy in mounts() if _ours(p, roots)}, key=lambda p: p.count("/"),
                            reverse=True),
        "links": [name for name in links if name in _links()] if record else [],
        "cgroups": dirs,
        "sysctls": {},
        "removed": [],
    }
    if record:
        for name, before in sorted(record.get("sysctls", {}).items()):
            now = read_sysctl(name)
            if now != before:
                plan["sysctls"][name] = "%s -> %s" % (now, before)
        plan["removed"] = sorted(p for p, existed in record.get("paths", {}).items()
                                 if not existed and os.path.lexists(p))
    return plan


def _umount(path):
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.umount2(path.encode("utf-8"), MNT_DETACH) != 0:
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOENT):  # not a mount point (any more)
            raise HostError("cannot unmount %s: %s" % (path, os.strerror(err)))


def restore(runner, record, roots, links, cgroup_root, parent, timeout=30):
    """Put the host back; returns what was done (the plan as carried out). ``runner`` is the
    module's run_command (it deletes network links with ``ip``)."""
    plan = restore_plan(record, roots, links, cgroup_root, parent)
    for pid in plan["killed"]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def gone():
        left = [p for p in plan["killed"] if os.path.exists("/proc/%d" % p) and not _zombie(p)]
        return not left, "still running: %s" % left

    done, observed, dummy, dummy = poll(gone, timeout, initial=0.05, cap=0.5)
    if not done:
        raise HostError("processes of the engine survived SIGKILL: %s" % observed)
    for path in plan["unmounted"]:
        _umount(path)
    for name in plan["links"]:
        rc, dummy, err = runner(["ip", "link", "delete", name])
        if rc != 0 and name in _links():
            raise HostError("cannot delete network interface %s: %s" % (name, err.strip()))

    def cgroups_removed():
        left = []
        for d in plan["cgroups"]:
            try:
                os.rmdir(d)
            except FileNotFoundError:
                continue
            except OSError as exc:
                left.append("%s (%s)" % (d, exc.strerror))
        return not left, "cannot remove %s" % ", ".join(left)

    done, observed, dummy, dummy = poll(cgroups_removed, timeout, initial=0.05, cap=0.5)
    if not done:
        raise HostError(observed)
    for name, change in plan["sysctls"].items():
        with open(_sysctl_path(name), "w") as handle:
            handle.write(change.split(" -> ")[1])
    for path in plan["removed"]:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    return plan


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] in ("Z", "X")
    except OSError:
        return True
