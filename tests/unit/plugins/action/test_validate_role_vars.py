# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""validate_role_vars: strict shapes and types, one line per problem, did-you-mean."""

from __future__ import annotations

import pytest

from ansible_collections.docc.platform.plugins.action.validate_role_vars import check_value, load_role, role_problems


def problems(role, **values):
    return role_problems(role, list(values), values.__getitem__)[0]


def test_a_string_where_a_list_of_strings_is_expected_is_one_line():
    assert problems("eks_cluster", eks_cluster_node_instance_types="t3.large") == [
        "eks_cluster_node_instance_types must be a list, got a string 't3.large'"]


def test_a_nested_list_is_refused_element_by_element():
    assert problems("eks_cluster", eks_cluster_node_instance_types=[["t3.large"]]) == [
        "eks_cluster_node_instance_types[0] must be a string, got a list ['t3.large']"]


def test_a_word_where_an_int_is_expected_names_the_variable():
    assert problems("app_deploy", app_deploy_replicas="two") == [
        "app_deploy_replicas must be an integer, got a string 'two'"]
    assert problems("app_deploy", app_deploy_replicas="3") == []


def test_a_mistyped_variable_gets_the_closest_name():
    assert problems("eks_cluster", eks_cluster_nodes_min=5) == [
        "eks_cluster_nodes_min: unknown variable of role eks_cluster; did you mean eks_cluster_node_min_size?"]


def test_outputs_of_earlier_runs_are_not_unknown():
    assert problems("eks_cluster", eks_cluster_vpc_id="vpc-1", eks_cluster_cluster_name="docc") == []


def test_choices_are_checked():
    assert problems("stage", stage_orphans="keep") == [
        "stage_orphans: 'keep' not among the choices ['refuse', 'delete', 'adopt']"]


def test_a_setting_that_moved_to_the_stage_role_says_where():
    assert problems("eks_cluster", eks_cluster_orphans="delete") == [
        "eks_cluster_orphans: replaced by stage_orphans (one setting for every stage; roles/stage)"]
    assert problems("ingress_controller", ingress_controller_s3_key="x") == [
        "ingress_controller_s3_key: replaced by stage_s3_key_prefix (one setting for every stage; roles/stage)"]


def test_booleans_and_dicts():
    assert check_value("x", True, {"type": "bool"}) == []
    assert check_value("x", [1], {"type": "bool"}) == ["x must be a boolean, got a list [1]"]
    assert check_value("x", "a=b", {"type": "dict"}) == ["x must be a dict, got a string 'a=b'"]


def test_every_role_has_a_spec_and_its_exports_never_name_an_input():
    for role in ("eks_cluster", "ingress_controller", "container_image", "app_deploy", "dns_record", "local_env"):
        options, exports = load_role(role)
        assert options
        assert set(options) & set(exports) == set(), role
        assert all(name.startswith(role + "_") for name in exports), role


def test_an_unknown_role_is_an_error():
    from ansible.errors import AnsibleError

    with pytest.raises(AnsibleError, match="no role 'nope'"):
        load_role("nope")


def test_templated_values_are_named_by_their_kind_not_their_class():
    class TaggedStr(str):
        """What a templated string is at run time (ansible-core's tagged subclass)."""

    assert check_value("x", TaggedStr("t3.large"), {"type": "list"}) == ["x must be a list, got a string 't3.large'"]


def test_a_boolean_from_the_command_line_is_refused_with_the_json_form():
    assert check_value("eks_cluster_wait", "false", {"type": "bool"}) == [
        "eks_cluster_wait must be a boolean, got the string 'false' (on the command line give booleans as JSON: "
        "-e '{\"eks_cluster_wait\": false}')"]
    assert check_value("eks_cluster_wait", False, {"type": "bool"}) == []


def test_a_derived_variable_left_unset_by_a_named_problem_is_not_a_second_problem(monkeypatch):
    from ansible_collections.docc.platform.plugins.action import validate_role_vars

    def controller(v):
        return ["ingress_controller_controller 'envoy-magic' is not one this role installs"]

    def kubernetes(v):
        return [v("_ingress_controller_class")]  # derived from the catalog entry the unknown name lacks

    def unset(name):
        raise KeyError(name)

    monkeypatch.setattr(validate_role_vars, "rules_of", lambda role: ([controller, kubernetes], []))
    assert validate_role_vars.rule_problems("ingress_controller", ("input",), unset) == [
        "ingress_controller_controller 'envoy-magic' is not one this role installs"]
    # Alone, an unset variable is still reported: a rule that cannot run is never silent.
    monkeypatch.setattr(validate_role_vars, "rules_of", lambda role: ([kubernetes], []))
    assert validate_role_vars.rule_problems("ingress_controller", ("input",), unset) == [
        "ingress_controller: _ingress_controller_class is not set (rule kubernetes)"]
