# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/runtime.yml's action groups list exactly the modules that take the AWS options
(amazon.aws's doc fragments) and the Kubernetes connection (docc.platform.kubernetes), so
module_defaults with group/docc.platform.aws or group/docc.platform.kubernetes reaches them all."""

from __future__ import annotations

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def modules_with_fragment(fragment):
    found = set()
    for path in (ROOT / "plugins" / "modules").glob("*.py"):
        doc = re.search(r'DOCUMENTATION = r"""(.*?)"""', path.read_text(), re.S).group(1)
        if fragment in (yaml.safe_load(doc).get("extends_documentation_fragment") or []):
            found.add(path.stem)
    return found


def test_the_groups_hold_every_module_of_their_kind_and_nothing_else():
    groups = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]
    for name, fragment in (("aws", "amazon.aws.common.modules"), ("kubernetes", "docc.platform.kubernetes")):
        assert groups[name] == sorted(modules_with_fragment(fragment)), name  # sorted, each once


def test_requires_ansible_names_the_oldest_line_ci_runs():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=2.19.0"
    assert "ANSIBLE_LEGACY='ansible>=12.3,<13'" in (ROOT / "tools" / "setup.sh").read_text()  # ansible 12 = core 2.19
