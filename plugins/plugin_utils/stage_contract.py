# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stage contract, declared once (private to docc.platform): what a stage role exports is
its Terraform root module's outputs (files/terraform/outputs.tf; the stage lifecycle exports
each output x as <role>_x) and the list _<role>_exports in its vars/main.yml (what the role
computes itself). validate_role_vars reads it to tell outputs from inputs; the repository tests
check the README's stage table and the roles' export tasks against it."""

from __future__ import annotations

import os
import re

import yaml

OUTPUT = re.compile(r'^output\s+"([A-Za-z0-9_]+)"', re.M)


def terraform_outputs(role_dir):
    """Names of the outputs of the role's Terraform root module (none without one)."""
    path = os.path.join(role_dir, "files", "terraform", "outputs.tf")
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return OUTPUT.findall(handle.read())


def own_exports(role_dir, role):
    """The role's _<role>_exports list: the outputs it computes itself."""
    path = os.path.join(role_dir, "vars", "main.yml")
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return list((yaml.safe_load(handle) or {}).get("_%s_exports" % role, []))


def exports(role_dir, role):
    """Every fact the role exports: <role>_<Terraform output> and its own exports."""
    terraform = {"%s_%s" % (role, name) for name in terraform_outputs(role_dir)}
    return sorted(terraform | set(own_exports(role_dir, role)))
