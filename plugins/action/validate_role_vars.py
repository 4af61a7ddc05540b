# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of docc.platform.validate_role_vars (documented in plugins/modules/)."""

from __future__ import annotations

import difflib
import os

import yaml
from ansible.errors import AnsibleError, AnsibleUndefinedVariable
from ansible.module_utils.common.validation import check_type_bool, check_type_float, check_type_int
from ansible.plugins.action import ActionBase

from ansible_collections.docc.platform.plugins.plugin_utils import stage_contract
from ansible_collections.docc.platform.plugins.plugin_utils.role_rules import Values, rules_of

ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")


def load_role(role):
    """(options, exports) of a role: its argument spec options and the facts it exports."""
    base = os.path.join(ROLES_DIR, role)
    try:
        with open(os.path.join(base, "meta", "argument_specs.yml")) as handle:
            options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    except OSError as exc:
        raise AnsibleError("docc.platform has no role %r (%s)" % (role, exc)) from exc
    exports = stage_contract.exports(base, role)
    return options, exports


def _type_name(value):
    # isinstance, not type(): templated values are subclasses (Ansible's tagged str, list, ...).
    for kind, name in ((bool, "a boolean"), (dict, "a dict"), (list, "a list"), (str, "a string"),
                       (int, "an int"), (float, "a number")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def check_value(name, value, spec):
    """Problems with ``value`` against one option spec (strict: no implicit list splitting)."""
    kind = spec.get("type", "str")
    problems = []
    if value is None:
        return problems
    try:
        if kind in ("str", "path"):
            if not isinstance(value, str):
                problems.append("%s must be a string, got %s %r" % (name, _type_name(value), value))
        elif kind == "int":
            if isinstance(value, (bool, list, dict)):
                raise TypeError
            check_type_int(value)
        elif kind == "float":
            check_type_float(value)
        elif kind == "bool":
            if isinstance(value, str):
                # ansible-core 2.19 refuses a string in a conditional, so "false" from
                # -e name=false would fail later with no variable named.
                wanted = "true" if value.lower() in ("true", "yes", "1", "on") else "false"
                variable = name.split("[")[0].split(".")[0]
                problems.append("%s must be a boolean, got the string %r (on the command line give booleans as "
                                "JSON: -e '{\"%s\": %s}')" % (name, str(value), variable, wanted))
                return problems
            if isinstance(value, (list, dict)):
                raise TypeError
            check_type_bool(value)
        elif kind == "list":
            if not isinstance(value, list):
                problems.append("%s must be a list, got %s %r" % (name, _type_name(value), value))
            else:
                element = spec.get("elements")
                for index, item in enumerate(value):
                    if element:
                        problems.extend(check_value("%s[%d]" % (name, index), item,
                                                    dict(spec.get("options") and {"type": "dict"} or {},
                                                         type=element, options=spec.get("options"))))
        elif kind == "dict":
            if not isinstance(value, dict):
                problems.append("%s must be a dict, got %s %r" % (name, _type_name(value), value))
            elif spec.get("options"):
                for key, item in value.items():
                    if key not in spec["options"]:
                        close = difflib.get_close_matches(key, list(spec["options"]), n=1)
                        problems.append("%s.%s: unknown key%s" % (name, key, "; did you mean %s?" % close[0]
                                                                  if close else ""))
                    else:
                        problems.extend(check_value("%s.%s" % (name, key), item, spec["options"][key]))
    except (TypeError, ValueError):
        wanted = {"int": "an integer", "float": "a number", "bool": "a boolean"}[kind]
        problems.append("%s must be %s, got %s %r" % (name, wanted, _type_name(value), value))
    choices = spec.get("choices")
    if choices and not problems:
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if v not in choices]
        if bad:
            problems.append("%s: %s not among the choices %s" % (name, ", ".join(repr(b) for b in bad), choices))
    return problems


# Variables an earlier release had, and what took their place (0.3.0: one setting for every
# stage instead of one per role).
MOVED = dict(
    [("%s_%s" % (role, old), "stage_" + new) for role in ("eks_cluster", "ingress_controller")
     for old, new in (("state_backend", "state_backend"), ("s3_bucket", "s3_bucket"), ("s3_key", "s3_key_prefix"),
                      ("terraform_binary", "terraform_binary"),
                      ("allow_destructive_changes", "allow_destructive_changes"), ("orphans", "orphans"))],
    container_image_docker_config_dir="nothing: the registry login lives in a temporary Docker configuration for "
                                      "the push alone")


def role_problems(role, names, value_of):
    """(problems, checked) for the variables ``names`` (those set for this run) of ``role``;
    ``value_of(name)`` evaluates one of them."""
    options, exports = load_role(role)
    known = set(options) | set(exports)
    problems, checked = [], []
    for name in sorted(n for n in names if n.startswith(role + "_")):
        if name not in known and name in MOVED:
            where = MOVED[name]
            problems.append("%s: replaced by %s (one setting for every stage; roles/stage)" % (name, where)
                            if where.startswith("stage_") else "%s: removed, replaced by %s" % (name, where))
            continue
        if name not in known:
            close = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.6)
            problems.append("%s: unknown variable of role %s%s" % (
                name, role, "; did you mean %s?" % close[0] if close else " (see its meta/argument_specs.yml)"))
            continue
        if name not in options:
            continue  # an output of an earlier run
        try:
            value = value_of(name)
        except KeyError as exc:
            cause = exc.__cause__ or exc
            problems.append("%s: cannot be evaluated: %s" % (name, str(cause).splitlines()[0]))
            continue
        except AnsibleError as exc:
            problems.append("%s: cannot be evaluated: %s" % (name, str(exc).splitlines()[0]))
            continue
        checked.append(name)
        problems.extend(check_value(name, value, options[name]))
    return problems, checked


def spec_default(name):
    """The argument-spec default of any docc.platform role's variable (None when it has none)."""
    role = next((r for r in sorted(os.listdir(ROLES_DIR), key=len, reverse=True) if name.startswith(r + "_")), None)
    if role is None:
        return None
    return load_role(role)[0].get(name, {}).get("default")


def rule_problems(role, phases, value_of):
    """Problems the role's value rules (plugins/plugin_utils/role_rules/<role>.py) find."""
    values = Values(value_of, spec_default)
    inputs, stage = rules_of(role)
    problems, unset = [], []
    for rule in (inputs if "input" in phases else []) + (stage if "stage" in phases else []):
        try:
            problems.extend(rule(values))
        except KeyError as exc:
            unset.append((exc.args[0], rule.__name__))
    # A role's derived variable (_name) is unset because of a problem already named (an unknown
    # controller has no catalog entry): say only the cause.
    return problems + ["%s: %s is not set (rule %s)" % (role, name, rule) for name, rule in unset
                       if not (problems and str(name).startswith("_"))]


PHASES = {"names": ("names",), "input": ("names", "input"), "stage": ("stage",), "all": ("names", "input", "stage")}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("roles", "phase"))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        roles = self._task.args.get("roles")
        phase = self._task.args.get("phase", "all")
        if not isinstance(roles, list) or not roles:
            raise AnsibleError("validate_role_vars: roles must be a non-empty list of role names")
        if phase not in PHASES:
            raise AnsibleError("validate_role_vars: phase must be one of %s, got %r" % (sorted(PHASES), phase))
        phases = PHASES[phase]

        def value_of(name):
            if name not in task_vars:
                raise KeyError(name)
            try:
                return self._templar.template(task_vars[name])
            except AnsibleUndefinedVariable as exc:
                raise KeyError(name) from exc

        problems, checked = [], {}
        for role in roles:
            found, checked[role] = role_problems(role, list(task_vars), value_of) if "names" in phases else ([], [])
            # Value rules read typed values: a variable of the wrong type is reported alone.
            if not found:
                found = rule_problems(role, phases, value_of)
            problems.extend(found)
        result["changed"] = False
        if not problems:
            result["checked"] = checked
        else:
            # One line per problem, and nothing else: no spec, no list of what was checked.
            result.update(failed=True, problems=problems,
                          msg="Invalid role variables (nothing has changed):\n- " + "\n- ".join(problems))
        return result
