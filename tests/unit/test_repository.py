# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Repository-wide promises: one license everywhere, and a README stage table that lists
what each stage really exports."""

from __future__ import annotations

import pathlib
import re
import subprocess

import pytest
import yaml

from ansible_collections.docc.platform.plugins.plugin_utils import stage_contract

ROOT = pathlib.Path(__file__).parents[2]
SPDX = "SPDX-License-Identifier: GPL-3.0-or-later"
STAGE_ROLES = {"eks": "eks_cluster", "image": "container_image", "ingress": "ingress_controller",
               "app": "app_deploy", "dns": "dns_record"}


def tracked_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / name for name in out.split() if (ROOT / name).is_file()]


def test_every_source_file_carries_the_one_license():
    missing = []
    for path in tracked_files():
        if path.name == "LICENSE" or path.suffix == ".json" or path.stat().st_size == 0:
            continue  # the license text itself; JSON has no comments; empty __init__.py must stay empty
        head = path.read_text(errors="replace").splitlines()[:5]
        if not any(SPDX in line for line in head):
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_galaxy_and_the_license_file_say_the_same():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert "GNU GENERAL PUBLIC LICENSE" in (ROOT / "LICENSE").read_text()[:200]


def _stage_rows():
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        match = re.match(r"^\| `(\w+)` \| `?(\w+)`? \|", line)
        if match:
            rows[match.group(1)] = line
    return rows


@pytest.mark.parametrize("stage", sorted(STAGE_ROLES))
def test_the_readme_stage_table_lists_every_output_of_the_stage(stage):
    """Declared once (Terraform outputs.tf and the role's _<role>_exports), listed in the README."""
    role = STAGE_ROLES[stage]
    exports = stage_contract.exports(str(ROOT / "roles" / role), role)
    row = _stage_rows()[stage]
    outputs_cell = row.rstrip(" |").rsplit("|", 1)[1]
    listed = set(re.findall(r"`(\w+)`", outputs_cell))
    # The first output is written in full; the others by their suffix after the role name.
    names = {name if name.startswith(role + "_") else role + name for name in listed}
    assert names == set(exports)


def _export_calls(role):
    """The outputs each export task of the role names: stage_outputs' outputs, or the stage role's
    export entry point's stage_exports."""
    calls = []
    for path in sorted((ROOT / "roles" / role / "tasks").glob("*.yml")):
        for task in yaml.safe_load(path.read_text()) or []:
            module = task.get("docc.platform.stage_outputs")
            include = task.get("ansible.builtin.include_role") or {}
            if module and module.get("state", "present") != "absent" and "outputs" in module:
                calls.append((path.name, set(module["outputs"])))
            elif include.get("name") == "docc.platform.stage" and include.get("tasks_from") == "export":
                calls.append((path.name, set(task.get("vars", {}).get("stage_exports", {}))))
    return calls


@pytest.mark.parametrize("stage", sorted(STAGE_ROLES))
def test_a_role_exports_exactly_what_it_declares(stage):
    """The role's own outputs are exported where it declares them (_<role>_exports), and nothing
    else: a Terraform output reaches the facts only through the stage lifecycle's export."""
    role = STAGE_ROLES[stage]
    calls = _export_calls(role)
    assert len(calls) == 1, calls
    assert calls[0][1] == set(stage_contract.own_exports(str(ROOT / "roles" / role), role)), calls


LOCAL_ONLY = {"_process", "_host"}  # daemons and the host's footprint: the local engines' alone


def _imports(path, seen):
    for name in re.findall(r"docc\.platform\.plugins\.module_utils(?: import ([\w, ]+)|\.(\w+))", path.read_text()):
        for util in (name[0].split(",") if name[0] else [name[1]]):
            util = util.split(" as ")[0].strip()
            if util and util not in seen:
                seen.add(util)
                _imports(ROOT / "plugins" / "module_utils" / (util + ".py"), seen)
    return seen


def test_what_a_real_aws_run_loads_imports_no_local_engine_code():
    """Every docc.platform module the stage roles and the site and teardown playbooks call, and the
    action plugins, with the module_utils they import, transitively."""
    used = set()
    tasks = [p for p in (ROOT / "roles").glob("*/tasks/*.yml") if p.parts[-3] != "local_env"]
    for path in list((ROOT / "playbooks").glob("*.yml")) + tasks:
        if path.name == "local_env.yml":
            continue
        used |= set(re.findall(r"docc\.platform\.(\w+):", path.read_text()))
    modules = ROOT / "plugins" / "modules"
    files = [modules / (m + ".py") for m in used if (modules / (m + ".py")).exists()]
    files += list((ROOT / "plugins" / "action").glob("*.py"))
    assert len(files) > 10
    found = {str(f.relative_to(ROOT)): sorted(_imports(f, set()) & LOCAL_ONLY) for f in files}
    assert {f: u for f, u in found.items() if u} == {}
