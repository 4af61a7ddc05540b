#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: terraform_stack
short_description: Plan, apply or destroy a Terraform root module from a per-environment working directory
version_added: 0.2.0
description:
  - Keeps a working copy of the root module in O(source) under O(work_dir), writing only the files
    that changed, plus the variables (C(docc.auto.tfvars.json)) and, for a non-local backend, a
    C(backend_override.tf). Every file it writes, Terraform's state included, is private (0600).
  - Runs C(terraform init) only when the working directory has none, or when the Terraform
    version, the backend settings, the provider requirements (C(versions.tf)) or the provider lock
    file changed. Reads Terraform's exit codes and JSON, never its prose.
  - Plans to a saved plan file and classifies it. A plan that deletes or replaces a resource whose
    type is in O(protect) is refused unless O(allow_destructive=true); the message names each
    resource and the attributes that force the replacement, with their old and new values.
    Changes made outside Terraform (drift) are reported in RV(drift); the plan's refresh is never
    skipped.
  - With O(plan_only=true) it stops after the plan (for an apply started later, for example
    asynchronously while other work runs); O(plan_file) applies such a saved plan.
  - An apply runs Terraform in its own session and journals its progress. A Ctrl-C or SIGTERM is
    forwarded once, so Terraform stops gracefully and writes its state; an apply that is
    interrupted, killed or fails reports failure with the resources it had completed. The next run
    returns the journal of that apply in RV(previous_apply).
  - In check mode it plans in a private temporary copy, so nothing in O(work_dir) is written.
  - Refusals carry RV(reason) (C(destructive), C(orphans), C(running)) so a role can restate them in
    its own variables.
author:
  - docc.platform maintainers (@docc-platform)
options:
  source:
    description: Directory of the Terraform root module (its C(.tf) files).
    type: path
    required: true
  work_dir:
    description: Per-environment working directory (code copy, C(.terraform), plans, journal).
    type: path
    required: true
  variables:
    description: Values of the root module's variables.
    type: dict
    default: {}
  backend:
    description: Where Terraform keeps its state.
    type: dict
    default: {}
    suboptions:
      type:
        description: Backend type; C(local) keeps the state in a file.
        type: str
        choices: [local, s3]
        default: local
      config:
        description: Backend settings passed as C(-backend-config), for example C(path) of a local state file.
        type: dict
        default: {}
  state:
    description: C(present) plans and applies; C(absent) destroys everything the state records.
    type: str
    choices: [present, absent]
    default: present
  plan_only:
    description: Stop after writing the saved plan; RV(plan_file) names it.
    type: bool
    default: false
  plan_file:
    description: Apply this saved plan (from an earlier O(plan_only) run) instead of planning again.
    type: path
  adopt_existing:
    description:
      - Resources that AWS may have made itself under a name the stack uses. When the plan would create
        one of them and it already exists, it is imported into the state instead (an import block).
      - EKS writes its control-plane logs to C(/aws/eks/<cluster>/cluster) and makes that log group
        when it is missing, also after Terraform deleted it during a destroy (terraform-aws-eks issues
        2486, 2763); a create then fails with C(ResourceAlreadyExistsException).
      - Supported types - C(aws_cloudwatch_log_group) (the id is the log group's name).
    type: list
    elements: dict
    default: []
    suboptions:
      address:
        description: Resource address in the stack, for example C(aws_cloudwatch_log_group.cluster).
        type: str
        required: true
      id:
        description: Its import id.
        type: str
        required: true
  orphans:
    description:
      - Look, before applying, for resources that carry this stack's ownership tags but that the state
        does not record (an apply that was killed or interrupted made them), through
        docc.platform.owned_resources's search. The look happens when the plan creates or replaces
        something, or when the last apply did not finish; a no-op plan creates nothing to duplicate.
    type: dict
    suboptions:
      tags:
        description: The ownership tags every resource of the stack carries.
        type: dict
        required: true
      iam_name_prefix:
        description: IAM roles whose name starts with this are inspected too.
        type: str
      action:
        description:
          - C(refuse) fails (reason C(orphans)) listing them; C(delete) deletes them, then applies;
            C(adopt) imports each into the state in place of the one planned create it matches (type,
            tags and name), then plans again.
        type: str
        choices: [refuse, delete, adopt]
        default: refuse
  protect:
    description: Resource types whose deletion or replacement needs O(allow_destructive=true).
    type: list
    elements: str
    default: []
  allow_destructive:
    description: Apply a plan that deletes or replaces protected resources.
    type: bool
    default: false
  binary:
    description: Path of the terraform executable; the one on C(PATH) by default.
    type: path
extends_documentation_fragment:
  - docc.platform.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: Plans in a private temporary copy; reports a change exactly when the plan has one.
  diff_mode:
    support: full
    details: A terse plan (one line per resource, with the attributes that force a replacement) as the diff.
  idempotent:
    support: full
    details: A second run plans no change and applies nothing.
"""

EXAMPLES = r"""
- name: Plan the cluster (nothing is applied yet)
  docc.platform.terraform_stack:
    source: "{{ role_path }}/files/terraform"
    work_dir: "{{ docc_state_dir }}/eks"
    variables: {cluster_name: docc, region: eu-west-1}
    backend: {type: local, config: {path: "{{ docc_state_dir }}/eks/terraform.tfstate"}}
    protect: [aws_eks_cluster, aws_vpc, aws_kms_key]
    plan_only: true
  register: __plan

- name: Apply the saved plan in the background
  docc.platform.terraform_stack:
    source: "{{ role_path }}/files/terraform"
    work_dir: "{{ docc_state_dir }}/eks"
    plan_file: "{{ __plan.plan_file }}"
  async: 3600
  poll: 0
  when: __plan.has_changes

- name: Destroy
  docc.platform.terraform_stack:
    source: "{{ role_path }}/files/terraform"
    work_dir: "{{ docc_state_dir }}/eks"
    state: absent
"""

RETURN = r"""
has_changes:
  description: Whether the plan changes anything.
  returned: when planning
  type: bool
  sample: true
counts:
  description: Resources the plan adds, changes and destroys.
  returned: when planning
  type: dict
  sample: {"add": 42, "change": 0, "destroy": 0}
changes:
  description: Each resource the plan touches, with its actions and what forces a replacement.
  returned: when planning
  type: list
  elements: dict
  sample: [{"address": "aws_vpc.this", "type": "aws_vpc", "actions": ["create"], "reason": null, "forced_by": []}]
destructive:
  description: The changes that delete or replace a protected resource.
  returned: when planning
  type: list
  elements: dict
  sample: [{"address": "aws_eks_cluster.this", "actions": ["delete", "create"],
            "forced_by": [{"path": "name", "before": "docc", "after": "prod"}]}]
destructive_text:
  description: RV(destructive) as one human-readable line per resource.
  returned: when planning
  type: list
  elements: str
  sample: ['aws_eks_cluster.this replaced (name: "docc" -> "prod")']
drift:
  description:
    - Resources changed outside Terraform since the last apply that the plan puts back, or that were
      deleted outside it (the plan's refresh found them).
    - Refresh differences the plan ignores (attributes an API reports differently on each read) are
      not drift.
  returned: when planning
  type: list
  elements: dict
  sample: [{"address": "aws_vpc.this", "actions": ["update"]}]
plan_file:
  description: The saved plan.
  returned: when O(plan_only=true)
  type: str
  sample: /var/lib/docc/eks/docc.tfplan
outputs:
  description: The root module's outputs (name to value) after the run; planned values in check mode.
  returned: always
  type: dict
  sample: {"cluster_name": "docc", "vpc_id": "vpc-0a1b"}
state_ids:
  description: Every ARN and id the state records after the run (before it, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b", "vpc-0a1b"]
resources:
  description: Addresses the state records after the run.
  returned: always
  type: list
  elements: str
  sample: ["aws_vpc.this", "aws_subnet.public[0]"]
orphans:
  description: Resources with the stack's tags that the state did not record (before any deletion or adoption).
  returned: when O(orphans) is set and the look happened
  type: list
  elements: dict
  sample: [{"arn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b", "type": "ec2:vpc", "id": "vpc-0a1b"}]
adopted_existing:
  description: Imports made for O(adopt_existing), as C(address <- id).
  returned: when something was adopted
  type: list
  elements: str
  sample: ["aws_cloudwatch_log_group.cluster <- /aws/eks/docc/cluster"]
reason:
  description: On a refusal, why in one word (C(destructive), C(orphans), C(running)).
  returned: on failure
  type: str
  sample: destructive
adopted:
  description: Imports made for O(orphans.action=adopt), as C(address <- id).
  returned: when resources were adopted
  type: list
  elements: str
  sample: ["aws_vpc.this <- vpc-0a1b"]
previous_apply:
  description: Journal of the last apply when it did not succeed (status, completed resources, log).
  returned: when the last apply did not succeed
  type: dict
  sample: {"operation": "apply", "status": "killed by SIGKILL", "completed": ["create aws_vpc.this"]}
init:
  description: Why C(terraform init) ran, or null when the working directory was ready.
  returned: always
  type: str
  sample: no .terraform directory yet
commands:
  description: The terraform commands run, with exit codes and seconds.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "terraform plan ...", "rc": 0, "seconds": 3.1}]
"""

import os

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _owned
from ansible_collections.docc.platform.plugins.module_utils import _terraform as tf
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error


def _outputs_from_plan(plan):
    values = (plan.get("planned_values") or {}).get("outputs") or {}
    return {k: v.get("value") for k, v in values.items()}


def _prior_state_ids(plan):
    found = set()
    resources = (((plan.get("prior_state") or {}).get("values") or {}).get("root_module") or {}).get("resources", [])
    for res in resources:
        if res.get("mode") != "managed":
            continue
        for key in ("arn", "id"):
            value = (res.get("values") or {}).get(key)
            if isinstance(value, str) and value:
                found.add(value)
    return found


def _previous_apply(ws):
    """The last apply's journal when it did not succeed; fail when it is still running."""
    record = ws.journal()
    if not record or record.get("status") == "succeeded":
        return None
    if record.get("status") == "running":
        if record.get("pid") and tf.pid_alive(record["pid"]):
            raise tf.TerraformError(
                "terraform %s (PID %s, started %s) is still running in %s. Wait until it ends, then run again; "
                "its log is %s." % (record["operation"], record["pid"], record["started"], ws.work_dir, record["log"]),
                reason="running", previous_apply=record)
        record = dict(record, status="ended without a result (the process running it was killed)")
    return record


def refuse_destructive(p, summary, result, ws):
    if summary["destructive"] and not p["allow_destructive"]:
        raise tf.TerraformError(
            "the plan deletes or replaces %d protected resource(s): %s. Nothing was applied. Set "
            "allow_destructive=true to apply it." % (len(summary["destructive"]), "; ".join(
                result["destructive_text"])), reason="destructive", destructive=summary["destructive"],
            destructive_text=result["destructive_text"], counts=summary["counts"], commands=ws.commands)


def look_for_orphans(module, state_ids):
    """Resources with the stack's tags that ``state_ids`` do not name."""
    spec = module.params["orphans"]
    clients = {}

    def client(service):
        if service not in clients:
            clients[service] = _aws.client(module, service)
        return clients[service]

    tags = {str(k): str(v) for k, v in spec["tags"].items()}
    return client, _owned.unknown(_owned.find(client, tags, spec.get("iam_name_prefix")), state_ids)


def _exists(module, address, ident):
    """Whether the resource ``ident`` of ``address``'s type exists (only what adopt_existing supports)."""
    kind = address.split(".")[0]
    if kind != "aws_cloudwatch_log_group":
        raise tf.TerraformError("adopt_existing supports aws_cloudwatch_log_group, not %s" % kind)
    logs = _aws.client(module, "logs")
    groups = _aws.paginate(logs, "describe_log_groups", logGroupNamePrefix=ident).get("logGroups", [])
    return any(g["logGroupName"] == ident for g in groups)


def adopt_existing(module, ws, plan, result, data_dir=None):
    """Import what AWS made itself where the plan would create it; returns the plan to go on with."""
    creating = {rc["address"] for rc in plan.get("resource_changes", []) if rc["change"]["actions"] == ["create"]}
    pairs = [(e["address"], e["id"]) for e in module.params["adopt_existing"]
             if e["address"] in creating and _exists(module, e["address"], e["id"])]
    if not pairs:
        return plan
    ws.write_imports(pairs)
    result["adopted_existing"] = ["%s <- %s" % pair for pair in pairs]
    dummy, replanned = ws.plan(data_dir=data_dir)
    return replanned


def handle_orphans(module, ws, plan, state_ids, result):
    """Refuse, delete or adopt what an interrupted apply left; returns the plan to go on with."""
    client, found = look_for_orphans(module, state_ids)
    result["orphans"] = found
    if not found:
        return plan
    action = module.params["orphans"]["action"]
    listing = ", ".join(r["arn"] for r in found)
    if action == "refuse":
        raise tf.TerraformError(
            "%d resource(s) carry this stack's tags but the state does not record them (an apply that was killed or "
            "interrupted made them): %s. Applying now would create duplicates. Set orphans.action=delete to delete "
            "them, or orphans.action=adopt to take them into the state." % (len(found), listing),
            reason="orphans", orphans=found, **({"previous_apply": result["previous_apply"]}
                                                if "previous_apply" in result else {}))
    if module.check_mode:
        result["changed"] = True  # it would delete or adopt them
        return plan
    if action == "delete":
        result["orphans_deleted"] = _owned.delete(client, found)
        return plan
    pairs = tf.match_imports(plan, found)
    ws.write_imports(pairs)
    result["adopted"] = ["%s <- %s" % pair for pair in pairs]
    dummy, replanned = ws.plan()
    return replanned


def plan_in_check_mode(module, ws, version, result):
    p = module.params
    tmp = ws.stage_check_copy(p["variables"])
    try:
        needed, dummy = ws.init_needed(version)
        data_dir = None
        config = ws.backend["config"]
        if ws.backend["type"] == "local" and not os.path.exists(config["path"]):
            # No state yet: plan against an empty one inside the temporary copy, so nothing
            # (not even a directory) appears in the working directory.
            ws.backend = dict(ws.backend, config=dict(config, path=os.path.join(tmp, "terraform.tfstate")))
            needed = True
        if needed:
            data_dir = os.path.join(ws.run_dir, ".terraform")
            ws.init(version, data_dir=data_dir)
        has_changes, plan = ws.plan(destroy=p["state"] == "absent", data_dir=data_dir)
        if has_changes and p["state"] == "present" and p["adopt_existing"]:
            plan = adopt_existing(module, ws, plan, result, data_dir)
    finally:
        ws.drop_check_copy()
    return has_changes, plan


def run(module):
    p = module.params
    backend = dict(type=p["backend"].get("type") or "local", config=p["backend"].get("config") or {})
    if backend["type"] == "local" and not backend["config"].get("path"):
        backend["config"]["path"] = os.path.join(p["work_dir"], "terraform.tfstate")
    ws = tf.Workspace(p["source"], p["work_dir"], module.run_command, p["binary"], backend)
    result = dict(changed=False, init=None, commands=ws.commands)
    previous = _previous_apply(ws) if os.path.isdir(p["work_dir"]) else None
    if previous:
        result["previous_apply"] = previous
    version = ws.version()

    if module.check_mode:
        has_changes, plan = plan_in_check_mode(module, ws, version, result)
        if p["orphans"] and p["state"] == "present" and (has_changes or previous):
            handle_orphans(module, ws, plan, _prior_state_ids(plan), result)
        summary = tf.summarise_plan(plan, p["protect"])
        if has_changes:
            # Planned outputs; identifiers and addresses of the state the plan started from.
            outputs, state_ids = _outputs_from_plan(plan), _prior_state_ids(plan)
            resources = sorted(r["address"] for r in ((plan.get("prior_state") or {}).get("values") or {}).get(
                "root_module", {}).get("resources", []) if r.get("mode") == "managed")
        else:
            # An empty plan is not shown as JSON; the state (read, never written) has it all.
            state = ws.state()
            outputs, state_ids, resources = ws.outputs(state), tf.state_identifiers(state), tf.state_addresses(state)
        result.update(changed=has_changes or result["changed"], has_changes=has_changes, outputs=outputs,
                      state_ids=sorted(state_ids), resources=resources,
                      destructive_text=[tf.describe_change(d) for d in summary["destructive"]], **summary)
        if module._diff:
            result["diff"] = {"prepared": tf.prepared_diff(summary)}
        refuse_destructive(p, summary, result, ws)
        return result

    if p["plan_file"]:
        if not os.path.exists(p["plan_file"]):
            raise tf.TerraformError("plan_file %s does not exist; run with plan_only=true first" % p["plan_file"])
        ws.apply(p["plan_file"])
        state = ws.state()
        result.update(changed=True, outputs=ws.outputs(state), state_ids=sorted(tf.state_identifiers(state)),
                      resources=tf.state_addresses(state))
        return result

    if p["state"] == "absent":
        # Nothing to destroy when a local state records nothing: no init, no provider.
        if backend["type"] == "local" and not tf.state_addresses(ws.state()):
            result.update(outputs={}, state_ids=[], resources=[], destroyed=[])
            return result
        ws.sync(p["variables"], keep_variables=True)
        needed, reason = ws.init_needed(version)
        if needed:
            ws.init(version)
            result["init"] = reason
        before = tf.state_addresses(ws.state())
        if before:
            ws.apply(destroy=True)
            result["changed"] = True
            if module._diff:
                result["diff"] = {"before": "\n".join(before) + "\n", "after": ""}
        result.update(outputs={}, state_ids=sorted(tf.state_identifiers(ws.state())), resources=[],
                      destroyed=before)
        return result

    ws.sync(p["variables"])
    needed, reason = ws.init_needed(version)
    if needed:
        ws.init(version)
        result["init"] = reason

    has_changes, plan = ws.plan()
    if has_changes and p["adopt_existing"]:
        plan = adopt_existing(module, ws, plan, result)
    if p["orphans"] and (has_changes or previous):
        plan = handle_orphans(module, ws, plan, tf.state_identifiers(ws.state()), result)
        has_changes = bool(plan.get("resource_changes")) and any(
            rc["change"]["actions"] not in (["no-op"], ["read"]) for rc in plan["resource_changes"])
    summary = tf.summarise_plan(plan, p["protect"])
    plan_file = os.path.join(p["work_dir"], tf.PLAN_FILE)
    result.update(has_changes=has_changes, destructive_text=[tf.describe_change(d) for d in summary["destructive"]],
                  **summary)
    if module._diff:
        result["diff"] = {"prepared": tf.prepared_diff(summary)}
    refuse_destructive(p, summary, result, ws)
    if p["plan_only"]:
        # Outputs and identifiers of the current state; the apply reports the new ones.
        state = ws.state()
        result.update(plan_file=plan_file, outputs=ws.outputs(state), state_ids=sorted(tf.state_identifiers(state)),
                      resources=tf.state_addresses(state))
        return result
    if has_changes:
        ws.apply(plan_file)
        result["changed"] = True
    state = ws.state()
    result.update(outputs=ws.outputs(state), state_ids=sorted(tf.state_identifiers(state)),
                  resources=tf.state_addresses(state))
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            source=dict(type="path", required=True),
            work_dir=dict(type="path", required=True),
            variables=dict(type="dict", default={}),
            backend=dict(type="dict", default={}, options=dict(
                type=dict(type="str", choices=["local", "s3"], default="local"),
                config=dict(type="dict", default={}),
            )),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            plan_only=dict(type="bool", default=False),
            plan_file=dict(type="path"),
            orphans=dict(type="dict", options=dict(
                tags=dict(type="dict", required=True),
                iam_name_prefix=dict(type="str"),
                action=dict(type="str", choices=["refuse", "delete", "adopt"], default="refuse"),
            )),
            adopt_existing=dict(type="list", elements="dict", default=[], options=dict(
                address=dict(type="str", required=True),
                id=dict(type="str", required=True),
            )),
            protect=dict(type="list", elements="str", default=[]),
            allow_destructive=dict(type="bool", default=False),
            binary=dict(type="path"),
        ),
        mutually_exclusive=[("plan_only", "plan_file")],
        supports_check_mode=True,
    )
    if not os.path.isdir(module.params["source"]):
        module.fail_json(msg="source %s is not a directory holding a Terraform root module" % module.params["source"])
    with fail_on_error(module, "terraform_stack"):
        try:
            result = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="terraform_stack: looking for untracked resources failed")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
