# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""stage_outputs: the one stage contract."""

from __future__ import annotations

import json

from ansible_collections.docc.platform.plugins.modules import stage_outputs
from tests.unit.module_runner import run_module


def test_save_query_forget(tmp_path):
    args = {"path": str(tmp_path), "stage": "ingress_controller",
            "outputs": {"ingress_controller_load_balancer_hostname": "lb-1.elb.amazonaws.com"}}
    failed, saved = run_module(stage_outputs.main, args)
    assert not failed and saved["changed"]
    assert saved["outputs"] == args["outputs"]
    assert oct((tmp_path / "ingress_controller.json").stat().st_mode & 0o777) == "0o600"
    assert not run_module(stage_outputs.main, args)[1]["changed"]
    failed, loaded = run_module(stage_outputs.main, {"path": str(tmp_path), "state": "query"})
    assert loaded["outputs"] == args["outputs"] and loaded["stages"] == ["ingress_controller"]
    failed, gone = run_module(stage_outputs.main, {"path": str(tmp_path), "stage": "ingress_controller",
                                                   "state": "absent"})
    assert gone["changed"] and not (tmp_path / "ingress_controller.json").exists()


def test_check_mode_sets_the_facts_and_writes_nothing(tmp_path):
    failed, result = run_module(stage_outputs.main, {"path": str(tmp_path), "stage": "dns_record",
                                                     "outputs": {"dns_record_fqdn": "a.b"}}, check_mode=True)
    assert not failed and result["changed"] and result["outputs"] == {"dns_record_fqdn": "a.b"}
    assert list(tmp_path.iterdir()) == []


def test_an_output_without_the_stage_prefix_is_refused(tmp_path):
    failed, result = run_module(stage_outputs.main, {"path": str(tmp_path), "stage": "dns_record",
                                                     "outputs": {"fqdn": "a.b"}})
    assert failed and "do not start with the stage prefix dns_record_" in result["msg"]


def test_query_of_nothing_is_empty(tmp_path):
    failed, result = run_module(stage_outputs.main, {"path": str(tmp_path / "none"), "state": "query"})
    assert not failed and result["outputs"] == {} and result["stages"] == []
    assert json.dumps(result)


def test_no_fact_is_returned_for_ansible_core_to_inject(tmp_path):
    """ansible-core 2.21 deprecates top-level access to a module's facts (removed in 2.24): the
    stage role sets the outputs as variables instead."""
    failed, result = run_module(stage_outputs.main, {"path": str(tmp_path), "stage": "dns_record",
                                                     "outputs": {"dns_record_fqdn": "a.b"}})
    assert not failed and "ansible_facts" not in result
