# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Terraform root module in a per-environment working directory (private to docc.platform).

Reads Terraform's exit codes and JSON, never its prose. A ``Workspace`` keeps the working copy
in step with the role's files (copying only what changed), runs ``init`` only when the
backend, the provider requirements, the lock file or the Terraform binary changed, plans to a
saved plan file, classifies the plan (destructive changes, drift), applies a saved plan while
journalling what it created, and reports an interrupted or killed apply with what it had done.
Every file it writes is private (umask 077). Lower layers raise TerraformError.

Terraform runs through the module's ``run_command`` (the ``runner``), so Ansible's handling
of commands (no_log masking, environment, umask) applies to it; an apply runs under
``setsid`` in its own session, so a Ctrl-C reaches Terraform once, forwarded by this module.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time

from ansible_collections.docc.platform.plugins.module_utils._errors import DoccError

PLAN_FILE = "docc.tfplan"
VARS_FILE = "docc.auto.tfvars.json"
BACKEND_OVERRIDE = "backend_override.tf"
STAMP_FILE = ".docc-init.json"
JOURNAL_FILE = "docc-apply.json"
LOCK_FILE = ".terraform.lock.hcl"
# Terraform's own files that hold provider requirements; a change there needs init.
_INIT_INPUTS = ("versions.tf",)


class TerraformError(DoccError):
    """Terraform failed or was stopped; ``details`` carry the command and its diagnostics."""


class Completed:
    """What a Terraform command returned: ``returncode``, ``stdout`` and ``stderr`` (text)."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def _read(path, mode="rb"):
    try:
        with open(path, mode) as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _write_private(path, data):
    """Write atomically with mode 0600; returns True when the content changed."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if _read(path) == data:
        return False
    tmp = path + ".docc-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return True


PRIVATE_UMASK = 0o077


def pid_alive(pid):
    """True when ``pid`` names a live process that is not a zombie (a journal's Terraform)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat = _read("/proc/%d/stat" % pid, "r")
    # Field 3, after the parenthesised command name, is the state letter.
    return stat is not None and stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def diagnostics(stdout):
    """Error and warning diagnostics from Terraform's ``-json`` output lines."""
    found = []
    for line in (stdout or "").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        diag = msg.get("diagnostic") if isinstance(msg, dict) else None
        if diag and diag.get("severity") == "error":
            text = diag.get("summary", "")
            if diag.get("detail"):
                text += ": " + diag["detail"]
            if diag.get("address"):
                text = "%s: %s" % (diag["address"], text)
            found.append(text)
    return found


# --- plan classification (pure) ------------------------------------------------------

def stream_drift(stdout):
    """``resource_drift`` entries (show -json shape) from ``terraform plan -json`` event lines."""
    drift = []
    for line in (stdout or "").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if isinstance(msg, dict) and msg.get("type") == "resource_drift":
            change = msg.get("change", {})
            action = change.get("action", "update")
            drift.append({"address": change.get("resource", {}).get("addr"),
                          "change": {"actions": ["delete"] if action == "delete" else [action]}})
    return drift


def _value_at(values, path):
    for step in path:
        if isinstance(values, dict):
            values = values.get(step)
        elif isinstance(values, list) and isinstance(step, int) and step < len(values):
            values = values[step]
        else:
            return None
    return values


def summarise_plan(plan, protect=()):
    """{changes, destructive, drift, counts} from ``terraform show -json`` of a saved plan.

    ``destructive`` lists deletions and replacements of resources whose type is in
    ``protect``, each with the attributes that force the replacement and their old and new
    values (Terraform's ``replace_paths``).
    """
    changes, destructive = [], []
    counts = {"add": 0, "change": 0, "destroy": 0}
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") == "data":
            continue
        actions = rc["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        if "create" in actions:
            counts["add"] += 1
        if "delete" in actions:
            counts["destroy"] += 1
        if actions == ["update"]:
            counts["change"] += 1
        forced = []
        for path in rc["change"].get("replace_paths") or []:
            unknown = _value_at(rc["change"].get("after_unknown"), path) is True
            forced.append({"path": ".".join(str(p) for p in path),
                           "before": _value_at(rc["change"].get("before"), path),
                           "after": "(known after apply)" if unknown else _value_at(rc["change"].get("after"), path)})
        entry = {"address": rc["address"], "type": rc["type"], "actions": actions,
                 "reason": rc.get("action_reason"), "forced_by": forced}
        changes.append(entry)
        if "delete" in actions and rc["type"] in protect:
            destructive.append(entry)
    # Drift that matters: a resource deleted outside Terraform, or one the plan changes back.
    # Terraform also lists refresh differences it ignores (computed attributes an API
    # reports differently on each read); those would be false alarms.
    changed = {c["address"] for c in changes}
    drift = [{"address": rd["address"], "actions": rd["change"]["actions"]}
             for rd in plan.get("resource_drift", [])
             if rd["change"]["actions"] != ["no-op"]
             and (rd["change"]["actions"] == ["delete"] or rd["address"] in changed)]
    return {"changes": changes, "destructive": destructive, "drift": drift, "counts": counts}


def describe_change(entry):
    """'aws_eks_cluster.this replaced (name: "docc" -> "prod")' for messages."""
    verb = "replaced" if len(entry["actions"]) == 2 else "destroyed"
    forced = ", ".join('%s: %s -> %s' % (f["path"], json.dumps(f["before"]), json.dumps(f["after"]))
                       for f in entry["forced_by"])
    return "%s %s%s" % (entry["address"], verb, " (%s)" % forced if forced else "")


def prepared_diff(summary):
    """A terse plan text for Ansible's diff output."""
    symbol = {("create",): "+", ("update",): "~", ("delete",): "-", ("delete", "create"): "-/+",
              ("create", "delete"): "+/-"}
    lines = ["%s %s%s" % (symbol.get(tuple(c["actions"]), "?"), c["address"],
                          " (forced by %s)" % ", ".join(f["path"] for f in c["forced_by"]) if c["forced_by"] else "")
             for c in summary["changes"]]
    lines += ["drift: %s changed outside Terraform" % d["address"] for d in summary["drift"]]
    return "\n".join(lines) + ("\n" if lines else "")


# ARN types of owned resources (see _owned) -> (Terraform type, how Terraform imports it).
IMPORTABLE = {
    "ec2:vpc": "aws_vpc", "ec2:subnet": "aws_subnet", "ec2:internet-gateway": "aws_internet_gateway",
    "ec2:natgateway": "aws_nat_gateway", "ec2:elastic-ip": "aws_eip", "ec2:route-table": "aws_route_table",
    "ec2:security-group": "aws_security_group", "ec2:launch-template": "aws_launch_template",
    "ec2:flow-log": "aws_flow_log", "kms:key": "aws_kms_key", "iam:role": "aws_iam_role",
    "iam:oidc-provider": "aws_iam_openid_connect_provider", "logs:log-group": "aws_cloudwatch_log_group",
    "eks:cluster": "aws_eks_cluster", "elasticloadbalancing:loadbalancer": "aws_lb",
    "elasticloadbalancing:targetgroup": "aws_lb_target_group",
}
IMPORTS_FILE = "docc-imports.tf"


def match_imports(plan, orphans):
    """[(address, import id)] pairing each orphan with the one planned create it stands for.

    A planned create matches when its type fits the orphan's, every tag it plans is on the
    orphan with the same value, and (where it plans a name) the names are equal. Raises
    TerraformError naming the orphans that match no resource, or more than one.
    """
    creates = [rc for rc in plan.get("resource_changes", [])
               if rc.get("mode") != "data" and "create" in rc["change"]["actions"]]
    pairs, problems, taken = [], [], set()
    for orphan in orphans:
        tf_type = IMPORTABLE.get(orphan["type"])
        tags = orphan.get("tags") or {}
        candidates = []
        for rc in creates:
            after = rc["change"].get("after") or {}
            planned_tags = after.get("tags") or {}
            if rc["type"] != tf_type or rc["address"] in taken:
                continue
            if any(tags.get(k) != v for k, v in planned_tags.items()):
                continue
            if isinstance(after.get("name"), str) and after["name"] not in (orphan["id"], tags.get("Name")):
                continue
            candidates.append(rc["address"])
        if len(candidates) == 1:
            taken.add(candidates[0])
            pairs.append((candidates[0], orphan["id"]))
        else:
            problems.append("%s (%s): %s" % (orphan["arn"], tf_type or orphan["type"],
                                             "no planned resource matches its type and tags" if not candidates
                                             else "several planned resources match: %s" % ", ".join(candidates)))
    if problems:
        raise TerraformError("cannot adopt %d resource(s): %s. Delete them instead."
                             % (len(problems), "; ".join(problems)), unmatched=problems)
    return pairs


def imports_hcl(pairs):
    blocks = ['import {\n  to = %s\n  id = %s\n}\n' % (address, json.dumps(ident)) for address, ident in pairs]
    return "# Written by docc.platform: adopts resources an interrupted apply left untracked.\n" + "\n".join(blocks)


def state_identifiers(state):
    """Every ARN and id recorded in a Terraform state document (v4 JSON)."""
    found = set()
    for resource in (state or {}).get("resources", []):
        if resource.get("mode") != "managed":
            continue
        for instance in resource.get("instances", []):
            attrs = instance.get("attributes") or {}
            for key in ("arn", "id"):
                value = attrs.get(key)
                if isinstance(value, str) and value:
                    found.add(value)
    return found


def state_addresses(state):
    out = []
    for resource in (state or {}).get("resources", []):
        if resource.get("mode") != "managed":
            continue
        base = "%s.%s" % (resource["type"], resource["name"])
        if resource.get("module"):
            base = "%s.%s" % (resource["module"], base)
        for instance in resource.get("instances", []):
            key = instance.get("index_key")
            out.append(base if key is None else "%s[%s]" % (base, json.dumps(key)))
    return out


# --- the working directory -----------------------------------------------------------

class Workspace:
    def __init__(self, source, work_dir, runner, binary="terraform", backend=None, env=None):
        """``runner`` is an AnsibleModule's ``run_command`` (or one with its signature)."""
        self.source = source
        self.work_dir = work_dir
        self.binary = binary or "terraform"
        self.backend = backend or {"type": "local", "config": {}}
        self.env = dict(os.environ)
        self.env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
        self.env.update(env or {})
        self.run_dir = work_dir  # where terraform runs (a temporary copy in check mode)
        self.commands = []
        self._runner = runner

    # -- files ---------------------------------------------------------------------
    def _sources(self):
        names = sorted(n for n in os.listdir(self.source) if n.endswith(".tf"))
        if not names:
            raise TerraformError("source %s holds no .tf files" % self.source)
        return {n: _read(os.path.join(self.source, n)) for n in names}

    def _backend_override(self):
        if self.backend["type"] == "local":
            return None
        return '# Written by docc.platform: state backend %s.\nterraform {\n  backend "%s" {}\n}\n' % (
            self.backend["type"], self.backend["type"])

    def desired_files(self, variables):
        files = dict(self._sources())
        override = self._backend_override()
        if override:
            files[BACKEND_OVERRIDE] = override.encode("utf-8")
        files[VARS_FILE] = (json.dumps(variables, indent=2, sort_keys=True) + "\n").encode("utf-8")
        return files

    def files_in_step(self, variables):
        """True when the working copy holds exactly the files a run would write."""
        if not os.path.isdir(self.work_dir):
            return False
        wanted = self.desired_files(variables)
        present = {n for n in os.listdir(self.work_dir) if n.endswith(".tf") or n == VARS_FILE}
        return present == set(wanted) and all(_read(os.path.join(self.work_dir, n)) == d for n, d in wanted.items())

    def sync(self, variables, keep_variables=False):
        """Make the working copy match; returns the names written or removed.

        ``keep_variables`` leaves an existing variables file alone (a destroy uses the values
        the resources were applied with, even when the inputs are gone by now).
        """
        os.makedirs(self.work_dir, mode=0o700, exist_ok=True)
        os.chmod(self.work_dir, 0o700)
        wanted = self.desired_files(variables)
        if keep_variables and os.path.exists(os.path.join(self.work_dir, VARS_FILE)):
            wanted[VARS_FILE] = _read(os.path.join(self.work_dir, VARS_FILE))
        touched = [n for n, data in sorted(wanted.items()) if _write_private(os.path.join(self.work_dir, n), data)]
        for name in sorted(os.listdir(self.work_dir)):
            if (name.endswith(".tf") or name == VARS_FILE) and name not in wanted:
                os.unlink(os.path.join(self.work_dir, name))
                touched.append(name)
        return touched

    def stage_check_copy(self, variables):
        """A private temporary copy to plan in (check mode writes nothing in the working copy)."""
        tmp = tempfile.mkdtemp(prefix="docc-tf-check-")
        for name, data in self.desired_files(variables).items():
            _write_private(os.path.join(tmp, name), data)
        lock = _read(os.path.join(self.work_dir, LOCK_FILE))
        if lock is not None:
            _write_private(os.path.join(tmp, LOCK_FILE), lock)
        self.run_dir = tmp
        return tmp

    def write_imports(self, pairs):
        _write_private(os.path.join(self.run_dir, IMPORTS_FILE), imports_hcl(pairs))

    def drop_check_copy(self):
        if self.run_dir != self.work_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir = self.work_dir

    # -- running terraform -----------------------------------------------------------
    def run(self, args, data_dir=None, check=True, json_lines=False):
        argv = [self.binary] + args
        env = dict(self.env)
        env["TF_DATA_DIR"] = data_dir or os.path.join(self.work_dir, ".terraform")
        started = time.monotonic()
        cwd = self.run_dir if os.path.isdir(self.run_dir) else self.source
        rc, out, err = self._runner(argv, cwd=cwd, environ_update=env, umask=PRIVATE_UMASK)
        proc = Completed(rc, out, err)
        self.commands.append({"command": " ".join(argv), "rc": rc, "seconds": round(time.monotonic() - started, 2)})
        if check and rc != 0:
            errors = diagnostics(out) if json_lines else []
            detail = "; ".join(errors) or (err or out).strip()[-2000:]
            raise TerraformError("terraform %s failed (exit %s): %s" % (args[0], rc, detail),
                                 command=argv, rc=rc, stderr=err[-4000:], diagnostics=errors)
        return proc

    def version(self):
        out = self.run(["version", "-json"]).stdout
        return json.loads(out).get("terraform_version")

    def _init_fingerprint(self, version):
        blob = json.dumps({
            "terraform": version,
            "backend": self.backend,
            "inputs": {n: _sha(_read(os.path.join(self.source, n)) or b"") for n in _INIT_INPUTS},
        }, sort_keys=True)
        return _sha(blob.encode("utf-8"))

    def _backend_args(self):
        args = []
        for key, value in sorted(self.backend.get("config", {}).items()):
            if isinstance(value, bool):
                value = "true" if value else "false"
            args.append("-backend-config=%s=%s" % (key, value))
        return args

    def _stamp(self):
        raw = _read(os.path.join(self.work_dir, STAMP_FILE), "r")
        return json.loads(raw) if raw else {}

    def _backend_fingerprint(self):
        return _sha(json.dumps(self.backend, sort_keys=True).encode("utf-8"))

    def init_needed(self, version):
        """(needed, reason) for the persistent working directory."""
        stamp = self._stamp()
        if not os.path.isdir(os.path.join(self.work_dir, ".terraform")):
            return True, "no .terraform directory yet"
        if self._needs_lock_file() and not os.path.exists(os.path.join(self.work_dir, LOCK_FILE)):
            return True, "no provider lock file"
        if not stamp:
            return True, "no record of an earlier init"
        if stamp.get("fingerprint") != self._init_fingerprint(version):
            return True, "the Terraform version, the backend or the provider requirements changed"
        return False, None

    def _needs_lock_file(self):
        """A root module with providers gets a lock file from init; one without none."""
        return any(b"required_providers" in (data or b"") for data in self._sources().values())

    def init(self, version, data_dir=None):
        """terraform init. Never -reconfigure for an unchanged backend: Terraform 1.11 then
        truncates a local state kept at the backend's default path. A changed backend moves
        the state along (-migrate-state)."""
        args = ["init", "-input=false", "-no-color"]
        recorded = self._stamp().get("backend") if data_dir is None else None
        if recorded and recorded != self._backend_fingerprint():
            args += ["-migrate-state", "-force-copy"]
        self.run(args + self._backend_args(), data_dir=data_dir)
        if data_dir is None:
            _write_private(os.path.join(self.work_dir, STAMP_FILE),
                           json.dumps({"fingerprint": self._init_fingerprint(version),
                                       "backend": self._backend_fingerprint()}))

    def plan(self, destroy=False, data_dir=None, plan_path=None):
        """Plan to a saved plan file; returns (has_changes, plan JSON).

        An empty plan (exit code 0) is not shown again (``terraform show -json`` loads every
        provider schema, about as long as the plan); its JSON is then built from the plan's
        own event stream, which carries any drift the refresh found.
        """
        plan_path = plan_path or os.path.join(self.run_dir, PLAN_FILE)
        args = ["plan", "-input=false", "-no-color", "-json", "-detailed-exitcode", "-out=" + plan_path]
        if destroy:
            args.append("-destroy")
        proc = self.run(args, data_dir=data_dir, check=False, json_lines=True)
        if proc.returncode not in (0, 2):
            errors = diagnostics(proc.stdout)
            raise TerraformError("terraform plan failed (exit %s): %s" % (
                proc.returncode, "; ".join(errors) or proc.stderr.strip()[-2000:]),
                command=self.commands[-1]["command"], rc=proc.returncode, diagnostics=errors,
                stderr=proc.stderr[-4000:])
        if proc.returncode == 0:
            return False, {"resource_changes": [], "resource_drift": stream_drift(proc.stdout)}
        shown = self.run(["show", "-json", "-no-color", plan_path], data_dir=data_dir)
        return True, json.loads(shown.stdout)

    def outputs(self, state=None):
        """Output values: from the local state document when given, else ``terraform output``."""
        if state is not None and self.backend["type"] == "local":
            return {k: v.get("value") for k, v in (state.get("outputs") or {}).items()}
        proc = self.run(["output", "-json", "-no-color"])
        return {k: v.get("value") for k, v in json.loads(proc.stdout or "{}").items()}

    def state(self):
        """The current state document (v4 JSON), or {} when none exists."""
        if self.backend["type"] == "local":
            path = self.backend.get("config", {}).get("path") or os.path.join(self.work_dir, "terraform.tfstate")
            raw = _read(path, "r")
            return json.loads(raw) if raw else {}
        proc = self.run(["state", "pull"])
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    def protect_state_files(self):
        """State files private (0600), whatever umask created them."""
        path = self.backend.get("config", {}).get("path") if self.backend["type"] == "local" else None
        for candidate in filter(None, [path, path and path + ".backup",
                                       os.path.join(self.work_dir, "terraform.tfstate")]):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(candidate, 0o600)

    # -- apply with a journal ---------------------------------------------------------
    def journal(self):
        raw = _read(os.path.join(self.work_dir, JOURNAL_FILE), "r")
        return json.loads(raw) if raw else None

    def _write_journal(self, record):
        _write_private(os.path.join(self.work_dir, JOURNAL_FILE), json.dumps(record, indent=2, sort_keys=True))

    def apply(self, plan_path=None, destroy=False):
        """Apply a saved plan (or destroy), journalling progress; returns the journal record.

        Terraform runs in its own session: a Ctrl-C or SIGTERM to this process is forwarded
        once (Terraform then stops gracefully and writes its state). A Terraform that was
        killed, interrupted or failed raises TerraformError with what it had completed.
        """
        if destroy:
            args = ["destroy", "-auto-approve", "-input=false", "-no-color", "-json"]
        else:
            args = ["apply", "-input=false", "-no-color", "-json", plan_path or os.path.join(self.work_dir, PLAN_FILE)]
        log_path = os.path.join(self.work_dir, "docc-%s.log" % ("destroy" if destroy else "apply"))
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        record = {"operation": "destroy" if destroy else "apply", "started": started,
                  "status": "running", "pid": None, "log": log_path, "completed": [], "errored": []}
        env = dict(self.env, TF_DATA_DIR=os.path.join(self.work_dir, ".terraform"))
        running = {}
        interrupted = []

        def started_terraform(proc):
            # setsid execs Terraform in place: this pid is Terraform's, in its own session.
            running["proc"] = proc
            record["pid"] = proc.pid
            self._write_journal(record)

        def forward(signum, dummy_frame):
            if not interrupted:
                interrupted.append(signal.Signals(signum).name)
                if "proc" in running:
                    with contextlib.suppress(ProcessLookupError):
                        running["proc"].send_signal(signal.SIGINT)

        previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
        started = time.monotonic()
        try:
            rc, text, err = self._runner(["setsid", self.binary] + args, cwd=self.work_dir, environ_update=env,
                                         umask=PRIVATE_UMASK, before_communicate_callback=started_terraform)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.commands.append({"command": " ".join([self.binary] + args), "rc": rc,
                              "seconds": round(time.monotonic() - started, 2)})
        _write_private(log_path, text + err)
        self.protect_state_files()
        for line in text.splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            hook = msg.get("hook", {}) if isinstance(msg, dict) else {}
            addr = hook.get("resource", {}).get("addr")
            if msg.get("type") == "apply_complete" and addr:
                record["completed"].append("%s %s" % (hook.get("action", ""), addr))
            elif msg.get("type") == "apply_errored" and addr:
                record["errored"].append(addr)
        errors = diagnostics(text)
        if rc == 0 and not interrupted:
            record["status"] = "succeeded"
        elif rc < 0:
            record["status"] = "killed by %s" % signal.Signals(-rc).name
        elif interrupted:
            record["status"] = "interrupted by %s" % interrupted[0]
        else:
            record["status"] = "failed (exit %d)" % rc
        record["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        record["errors"] = errors
        self._write_journal(record)
        if record["status"] != "succeeded":
            done = ", ".join(record["completed"]) or "nothing"
            raise TerraformError(
                "terraform %s %s after %.1f s. Completed before it stopped: %s.%s Resources being created at that "
                "moment may exist without being in the state: look for resources tagged as this stack's that the "
                "state does not know. Log: %s" % (
                    record["operation"], record["status"], time.monotonic() - started, done,
                    " Errors: %s." % "; ".join(errors) if errors else "", log_path),
                journal=record)
        return record
