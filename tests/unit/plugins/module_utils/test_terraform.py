# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan classification: what counts as drift, what as destruction."""

from __future__ import annotations

import json

from ansible_collections.docc.platform.plugins.module_utils import _terraform


def _change(address, actions, rtype="aws_vpc"):
    return {"address": address, "type": rtype, "mode": "managed", "change": {"actions": actions}}


def _drift(address, actions):
    return {"address": address, "change": {"actions": actions}}


def test_drift_is_what_the_plan_puts_back_or_what_was_deleted():
    plan = {"resource_changes": [_change("aws_vpc.this", ["update"]), _change("aws_eip.nat[0]", ["no-op"])],
            "resource_drift": [_drift("aws_vpc.this", ["update"]),        # the plan puts it back
                               _drift("aws_eip.nat[0]", ["update"]),      # refresh noise the plan ignores
                               _drift("aws_iam_role.node", ["delete"]),   # gone: always drift
                               _drift("aws_route_table.public", ["no-op"])]}
    summary = _terraform.summarise_plan(plan)
    assert [d["address"] for d in summary["drift"]] == ["aws_vpc.this", "aws_iam_role.node"]
    assert summary["counts"] == {"add": 0, "change": 1, "destroy": 0}


def test_an_empty_plan_reports_no_drift_for_refresh_noise():
    events = "\n".join(json.dumps(e) for e in [
        {"type": "resource_drift", "change": {"resource": {"addr": "aws_eks_cluster.this"}, "action": "update"}},
        {"type": "resource_drift", "change": {"resource": {"addr": "aws_vpc.this"}, "action": "delete"}},
        {"type": "change_summary"}])
    plan = {"resource_changes": [], "resource_drift": _terraform.stream_drift(events)}
    assert [d["address"] for d in _terraform.summarise_plan(plan)["drift"]] == ["aws_vpc.this"]


def test_a_protected_replacement_is_destructive_and_names_its_cause():
    change = _change("aws_eks_cluster.this", ["delete", "create"], rtype="aws_eks_cluster")
    change["change"].update(replace_paths=[["name"]], before={"name": "docc"}, after={"name": "prod"},
                            after_unknown={})
    summary = _terraform.summarise_plan({"resource_changes": [change]}, protect=["aws_eks_cluster"])
    assert [_terraform.describe_change(d) for d in summary["destructive"]] == [
        'aws_eks_cluster.this replaced (name: "docc" -> "prod")']
