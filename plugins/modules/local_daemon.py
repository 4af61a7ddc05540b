#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_daemon
short_description: Run a local background engine with a PID file, and wait until it answers
version_added: 0.1.0
description:
  - Starts a program detached from Ansible (own session, output appended to a log file),
    records its PID in a PID file and waits until a readiness probe answers.
  - Starting is idempotent. A process recorded in the PID file that is alive and runs the
    same arguments is left alone; it is only probed again.
  - A recorded process that runs other arguments is restarted, so a changed port or flag
    takes effect.
  - Stopping is by PID. SIGTERM goes first, then SIGKILL to the process group after
    O(stop_timeout).
  - On a failed start, the error includes the tail of the log file.
  - Used by the C(local_env) role for the local AWS emulator, C(dockerd) and the registry.
    It is not meant for production services; use systemd there.
author:
  - docc.platform maintainers (@docc-platform)
options:
  name:
    description: Human-readable name used in messages.
    type: str
    required: true
  command:
    description:
      - Program and arguments, one list item each. No shell is involved.
      - Required when O(state=started).
    type: list
    elements: str
  state:
    description: Whether the engine should be running.
    type: str
    choices: [started, stopped]
    default: started
  pidfile:
    description: PID file path. A C(.json) file beside it records the arguments.
    type: path
    required: true
  logfile:
    description:
      - File the program's standard output and error are appended to.
      - Defaults to the PID file path with C(.log) in place of C(.pid).
    type: path
  env:
    description: Variables added to the program's environment.
    type: dict
    default: {}
  chdir:
    description: Working directory of the program.
    type: path
  ready:
    description:
      - Readiness probe. Without it, the module only checks that the process is alive
        after start.
    type: dict
    suboptions:
      type:
        description: Probe kind; C(unix) only connects to O(ready.socket) (a gRPC server such as containerd).
        type: str
        choices: [http, unix_http, tcp, unix]
        default: http
      url:
        description: URL for O(ready.type=http).
        type: str
      socket:
        description: Unix socket path for O(ready.type=unix_http) and O(ready.type=unix).
        type: path
      path:
        description: Request path for O(ready.type=unix_http).
        type: str
        default: /
      host:
        description: Host for O(ready.type=tcp).
        type: str
        default: 127.0.0.1
      port:
        description: Port for O(ready.type=tcp).
        type: int
      status:
        description: HTTP status codes that count as ready.
        type: list
        elements: int
        default: [200]
      ca_file:
        description: CA bundle that verifies an C(https) O(ready.url); the system's CAs by default.
        type: path
  timeout:
    description: Seconds to wait for readiness after start.
    type: int
    default: 60
  stop_timeout:
    description: Seconds between SIGTERM and SIGKILL when stopping.
    type: int
    default: 20
extends_documentation_fragment:
  - docc.platform.attributes
attributes:
  check_mode:
    support: full
    details: Reports whether it would start or stop the process, and changes nothing.
  diff_mode:
    support: full
    details: Shows the before and after state, with the PID and the arguments.
  idempotent:
    support: full
    details: A running engine with the same arguments is left alone.
notes:
  - The program's environment is the module's environment plus O(env). Do not put secrets
    in O(command). The process list shows it to every local user.
"""

EXAMPLES = r"""
- name: Start the AWS emulator on loopback
  docc.platform.local_daemon:
    name: moto
    command: [moto_server, -H, 127.0.0.1, -p, "5055"]
    pidfile: /var/tmp/docc/moto.pid
    env:
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true"
    ready:
      url: http://127.0.0.1:5055/moto-api/
    timeout: 60

- name: Stop it by PID
  docc.platform.local_daemon:
    name: moto
    state: stopped
    pidfile: /var/tmp/docc/moto.pid
"""

RETURN = r"""
pid:
  description: PID of the running process. It is C(null) when the engine is stopped.
  returned: always
  type: int
  sample: 41327
state:
  description: State after the task.
  returned: always
  type: str
  sample: started
ready_after_s:
  description: Seconds the readiness probe took to succeed.
  returned: when O(state=started) and not in check mode
  type: float
  sample: 1.42
observed:
  description: What the last readiness probe saw.
  returned: when O(state=started) and not in check mode
  type: str
  sample: "http GET /moto-api/ answered 200 (accepted: 200)"
signals:
  description: Signals sent while stopping.
  returned: when O(state=stopped)
  type: list
  elements: str
  sample: [SIGTERM]
log_tail:
  description: Last lines of the log file. Returned on failure only.
  returned: on failure
  type: list
  elements: str
  sample: ["listen tcp 127.0.0.1:5000: bind: address already in use"]
"""

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.docc.platform.plugins.module_utils import _process
from ansible_collections.docc.platform.plugins.module_utils._waiter import poll


def _fingerprint(command, env):
    blob = json.dumps({"command": command, "env": env}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _ensure_started(module, params, result):
    command = params["command"]
    pidfile = params["pidfile"]
    logfile = params["logfile"]
    fingerprint = _fingerprint(command, params["env"])
    pid = _process.running_pid(pidfile, command)
    recorded = _process.read_state(pidfile).get("fingerprint")
    restart = pid is not None and recorded != fingerprint
    before = {"state": "started" if pid else "stopped", "pid": pid}
    if pid is not None and not restart:
        result.update(pid=pid, state="started")
    else:
        result["changed"] = True
        if module.check_mode:
            result.update(pid=pid, state="started")
        else:
            if restart:
                _process.stop(pid, params["stop_timeout"])
            pid = _process.start(module.run_command, command, pidfile, logfile, params["env"], params["chdir"],
                                 fingerprint)
            result.update(pid=pid, state="started")
            if not params["ready"]:
                # Without a probe, "ready" only means it did not exit at once.
                done, dummy, dummy, dummy = poll(lambda: (not _process.pid_alive(pid), "running"), 1.0,
                                                 initial=0.05, cap=0.2)
                if done:
                    raise _process.ProcessError("%s exited at once: %s" % (
                        params["name"], " | ".join(_process.log_tail(logfile, 5)) or "no output"))
    if module._diff:
        result["diff"] = {
            "before": before,
            "after": {"state": "started", "pid": result["pid"], "command": command},
        }
    if params["ready"] and not module.check_mode:
        elapsed, observed = _process.wait_ready(
            params["ready"], params["timeout"], is_alive=lambda: _process.pid_alive(pid))
        result.update(ready_after_s=round(elapsed, 3), observed=observed)


def _ensure_stopped(module, params, result):
    pidfile = params["pidfile"]
    pid = _process.read_pid(pidfile)
    alive = _process.pid_alive(pid)
    result.update(state="stopped", pid=None, signals=[])
    if module._diff:
        result["diff"] = {"before": {"state": "started" if alive else "stopped", "pid": pid if alive else None},
                          "after": {"state": "stopped", "pid": None}}
    if alive:
        result["changed"] = True
        if not module.check_mode:
            result["signals"] = _process.stop(pid, params["stop_timeout"])
    if not module.check_mode and (pid is not None or os.path.exists(_process.state_path(pidfile))):
        # A stale PID file (process gone) is removed as well; that is not a change.
        _process.remove_files(pidfile, _process.state_path(pidfile))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            command=dict(type="list", elements="str"),
            state=dict(type="str", choices=["started", "stopped"], default="started"),
            pidfile=dict(type="path", required=True),
            logfile=dict(type="path"),
            env=dict(type="dict", default={}),
            chdir=dict(type="path"),
            ready=dict(
                type="dict",
                options=dict(
                    type=dict(type="str", choices=["http", "unix_http", "tcp", "unix"], default="http"),
                    url=dict(type="str"),
                    socket=dict(type="path"),
                    path=dict(type="str", default="/"),
                    host=dict(type="str", default="127.0.0.1"),
                    port=dict(type="int"),
                    status=dict(type="list", elements="int", default=[200]),
                    ca_file=dict(type="path"),
                ),
                required_if=[
                    ("type", "http", ["url"]),
                    ("type", "unix_http", ["socket"]),
                    ("type", "unix", ["socket"]),
                    ("type", "tcp", ["port"]),
                ],
            ),
            timeout=dict(type="int", default=60),
            stop_timeout=dict(type="int", default=20),
        ),
        required_if=[("state", "started", ["command"])],
        supports_check_mode=True,
    )
    params = dict(module.params)
    if not params["logfile"]:
        base = params["pidfile"][:-4] if params["pidfile"].endswith(".pid") else params["pidfile"]
        params["logfile"] = base + ".log"
    params["env"] = dict((k, str(v)) for k, v in params["env"].items())
    result = dict(changed=False, name=params["name"])
    try:
        if params["state"] == "started":
            _ensure_started(module, params, result)
        else:
            _ensure_stopped(module, params, result)
    except _process.ProcessError as exc:
        tail = _process.log_tail(params["logfile"])
        module.fail_json(
            msg="%s (%s): %s. See the log tail below (full log: %s); fix the cause, then run again."
            % (params["name"], params["state"], exc, params["logfile"]),
            log_tail=tail, **dict(result, **exc.details))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
