# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Background processes with PID files: start, probe, stop (private to docc.platform).

Lower layers raise ProcessError; only a module's main() turns it into fail_json.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import signal
import socket
import ssl
import sys

from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError
from ansible_collections.docc.platform.plugins.module_utils._waiter import poll


class ProcessError(DoccError):
    """A process could not be started, probed or stopped; ``details`` go to fail_json."""


def _read_text(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ESRCH, errno.EACCES):
            return None
        raise


def read_pid(pidfile):
    """The PID recorded in ``pidfile``, or None when the file is absent or not a PID."""
    text = _read_text(pidfile)
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() else None


def pid_alive(pid):
    """True when ``pid`` names a live (non-zombie) process."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        if exc.errno == errno.ESRCH:
            return False
        if exc.errno != errno.EPERM:
            raise
    stat = _read_text("/proc/%d/stat" % pid)
    if stat is None:
        return False
    # Field 3, after the parenthesised command name, is the state letter.
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def cmdline(pid):
    """argv of ``pid`` as recorded by the kernel (empty list when unknown)."""
    raw = _read_text("/proc/%d/cmdline" % pid)
    if not raw:
        return []
    return [part for part in raw.split("\0") if part]


def state_path(pidfile):
    return pidfile + ".json"


def read_state(pidfile):
    """The argv/env fingerprint stored next to the PID file when the process was started."""
    text = _read_text(state_path(pidfile))
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return {}


def running_pid(pidfile, argv):
    """The live PID started from ``pidfile`` with this ``argv``, or None.

    A recorded PID only counts when that process is alive and its kernel argv still ends
    with our arguments (guards against PID reuse after a reboot or crash).
    """
    pid = read_pid(pidfile)
    if not pid_alive(pid):
        return None
    actual = cmdline(pid)
    tail = list(argv[1:])
    if tail and actual[-len(tail):] != tail:
        return None
    return pid


def log_tail(logfile, lines=30):
    text = _read_text(logfile) if logfile else None
    if not text:
        return []
    return text.splitlines()[-lines:]


def _write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


# Started through the module's run_command, this small program forks the daemon into its own
# session with its output appended to the log, and prints its PID; an exec that fails comes
# back through a close-on-exec pipe (EOF means the exec succeeded).
_LAUNCHER = r"""
import os, sys
logfile, chdir, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
log = os.open(logfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
null = os.open(os.devnull, os.O_RDONLY)
rd, wr = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(rd)
    os.setsid()
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        if chdir:
            os.chdir(chdir)
        os.execvp(argv[0], argv)
    except OSError as exc:
        os.write(wr, str(exc).encode())
    os._exit(127)
os.close(wr)
error = os.read(rd, 4096).decode()
if error:
    sys.stderr.write(error)
    sys.exit(2)
print(pid)
"""


def start(runner, argv, pidfile, logfile, env=None, chdir=None, fingerprint=None):
    """Start ``argv`` detached (own session), output appended to ``logfile``; return its PID.

    ``runner`` is the module's ``run_command``: the daemon is forked by a launcher it runs.
    """
    for path in (pidfile, logfile):
        parent = os.path.dirname(path)
        if parent and not os.path.isdir(parent):
            os.makedirs(parent, mode=0o700)
    rc, out, err = runner([sys.executable, "-c", _LAUNCHER, logfile, chdir or ""] + list(argv),
                          environ_update=dict(env or {}))
    if rc != 0 or not out.strip().isdigit():
        raise ProcessError(
            "Could not execute %s: %s. Check that the program is installed (make setup) and"
            " executable." % (argv[0], (err or out).strip() or "exit %d" % rc), command=list(argv))
    pid = int(out.strip())
    _write_private(pidfile, "%d\n" % pid)
    _write_private(state_path(pidfile), json.dumps({"argv": list(argv), "fingerprint": fingerprint}))
    return pid


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._socket_path)
        self.sock = sock


def probe(ready, timeout=2.0):
    """One readiness probe. Returns (ok, observation) and never raises for network errors.

    ``ready`` keys: ``type`` (http, unix_http, tcp, unix), ``url`` or ``socket``/``path``,
    ``host``/``port``, ``status`` (accepted HTTP status codes), ``ca_file`` (CA bundle for https).
    """
    kind = ready.get("type", "http")
    try:
        if kind == "tcp":
            with socket.create_connection((ready["host"], int(ready["port"])), timeout=timeout):
                return True, "tcp %s:%s accepts connections" % (ready["host"], ready["port"])
        if kind == "unix":
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(ready["socket"])
            return True, "unix socket %s accepts connections" % ready["socket"]
        if kind == "unix_http":
            conn = _UnixHTTPConnection(ready["socket"], timeout)
            path = ready.get("path", "/")
        else:
            parsed = http.client.urlsplit(ready["url"])
            if parsed.scheme == "https":
                context = ssl.create_default_context(cafile=ready.get("ca_file"))
                conn = http.client.HTTPSConnection(parsed.hostname, parsed.port, timeout=timeout, context=context)
            else:
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
            path = parsed.path or "/"
            if parsed.query:
                path += "?" + parsed.query
        try:
            conn.request("GET", path)
            status = conn.getresponse().status
        finally:
            conn.close()
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return False, "%s probe failed: %s" % (kind, exc)
    accepted = ready.get("status") or [200]
    return status in accepted, "%s GET %s answered %d (accepted: %s)" % (
        kind, path, status, ", ".join(str(s) for s in accepted))


def wait_ready(ready, timeout, is_alive=None, clock=None):
    """Probe until ok, with capped exponential backoff and jitter inside ``timeout``.

    Returns (elapsed seconds, last observation). Raises ProcessError on timeout or when
    ``is_alive()`` says the process died while we waited.
    """
    def gone():
        return "the process exited before it answered" if is_alive is not None and not is_alive() else None

    done, observed, dummy, elapsed = poll(lambda: probe(ready), timeout, initial=0.1, cap=2.0, clock=clock,
                                          give_up=gone)
    if done:
        return elapsed, observed
    if gone():
        raise ProcessError("The process exited before it answered; last probe: %s" % observed, observed=observed)
    raise ProcessError("Not ready after %.0f s; last probe: %s" % (timeout, observed), observed=observed)


def stop(pid, grace, clock=None):
    """SIGTERM ``pid``, wait up to ``grace`` s, then SIGKILL its process group.

    Returns the list of signals sent. The process was started in its own session, so its
    process group holds its helpers (dockerd's containerd, for example).
    """
    sent = []
    if not pid_alive(pid):
        return sent
    os.kill(pid, signal.SIGTERM)
    sent.append("SIGTERM")

    def exited():
        if pid_alive(pid):
            _reap(pid)  # collects it when it is our own child; a zombie stays for its parent
        return not pid_alive(pid), "PID %d still running" % pid

    poll(exited, grace, initial=0.05, cap=0.5, clock=clock)
    for target in _group_members(pid):
        if pid_alive(target):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError as exc:
                if exc.errno != errno.ESRCH:
                    raise
            if "SIGKILL" not in sent:
                sent.append("SIGKILL")
    done = poll(exited, 5, initial=0.05, cap=0.5, clock=clock)[0]
    if not done:
        raise ProcessError("PID %d survived SIGKILL" % pid)
    return sent


def _reap(pid):
    """Collect ``pid`` if it is our child; otherwise init reaps it."""
    with contextlib.suppress(OSError):
        os.waitpid(pid, os.WNOHANG)


def _group_members(pid):
    """PIDs whose process group is ``pid`` (ours, since we started it as a session leader)."""
    members = [pid]
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == pid:
            continue
        stat = _read_text("/proc/%s/stat" % entry)
        if not stat:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[2] == str(pid):
            members.append(int(entry))
    return members


def remove_files(*paths):
    for path in paths:
        try:
            os.unlink(path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise
