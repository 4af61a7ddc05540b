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
    role = STAGE_ROLES[stage]
    exports = yaml.safe_load((ROOT / "roles" / role / "vars" / "main.yml").read_text())["_%s_exports" % role]
    row = _stage_rows()[stage]
    outputs_cell = row.rstrip(" |").rsplit("|", 1)[1]
    listed = set(re.findall(r"`(\w+)`", outputs_cell))
    # The first output is written in full; the others by their suffix after the role name.
    names = {name if name.startswith(role + "_") else role + name for name in listed}
    assert names == set(exports)
