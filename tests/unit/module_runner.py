# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run an Ansible module's main() in-process and return its JSON result."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from unittest import mock

import pytest
from ansible.module_utils import _internal
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args


def run_module(main, args, check_mode=False, diff=False):
    """(failed, result) of ``main()`` called with ``args``."""
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    out = io.StringIO()
    # A test that imported controller code flips is_controller, which would send
    # warnings to the display instead of the result; a module never runs there.
    with mock.patch.object(_internal, "is_controller", False), patch_module_args(args), \
            redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
        main()
    result = json.loads(out.getvalue())
    return exit_info.value.code != 0, result


def ansible_module():
    """A real AnsibleModule without options, for code that needs its run_command."""
    with mock.patch.object(_internal, "is_controller", False), patch_module_args({}):
        return AnsibleModule(argument_spec={})
