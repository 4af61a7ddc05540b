# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tier: real ansible-playbook runs against the local engines (make env-up)."""

from __future__ import annotations

import configparser
import glob
import json
import os
import shutil

import boto3
import pytest

from tests.playbook_runner import local_env, state_dir


def published():
    with open(os.path.join(state_dir(), "local-env.json")) as handle:
        return json.load(handle)


def aws(service):
    """A boto3 client for the emulator, with the credentials local_env generated (its 0600 file)."""
    endpoints = published()
    creds = configparser.ConfigParser()
    creds.read(endpoints["aws_shared_credentials_file"])
    section = creds[endpoints["aws_profile"]]
    return boto3.client(service, endpoint_url=endpoints["aws_endpoint_url"], region_name="eu-west-1",
                        aws_access_key_id=section["aws_access_key_id"],
                        aws_secret_access_key=section["aws_secret_access_key"])


def secrets():
    """Every secret of the local environment: the AWS secret key and the registry password."""
    endpoints = published()
    creds = configparser.ConfigParser()
    creds.read(endpoints["aws_shared_credentials_file"])
    with open(endpoints["registry_password_file"]) as handle:
        password = handle.read().strip()
    return {"aws_secret_access_key": creds[endpoints["aws_profile"]]["aws_secret_access_key"],
            "registry_password": password}


def engine_pids():
    pids = {}
    for path in glob.glob(os.path.join(state_dir(), "*.pid")) + glob.glob(os.path.join(state_dir(), "*", "*.pid")):
        with open(path) as handle:
            pids[os.path.basename(path)] = int(handle.read().strip() or 0)
    return pids


def _running(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


@pytest.fixture(scope="session")
def engines():
    """The local engines, started once for the tier (the second start changes nothing), and
    stopped after it with no engine process left."""
    # Tests start from an empty registry: a version tag an earlier run pushed from other
    # sources would (rightly) be refused as a move of a published tag.
    shutil.rmtree(os.path.join(state_dir(), "registry", "data"), ignore_errors=True)
    first = local_env()
    second = local_env() if first.rc == 0 else None
    if second is None or second.rc != 0 or second.recap["changed"] != 0:
        local_env("-e", "local_env_state=absent")  # a failed fixture never reaches its teardown
    assert first.rc == 0, first
    assert second.rc == 0 and second.recap["changed"] == 0, second
    yield {"first": first, "second": second, "endpoints": published()}
    pids = engine_pids()
    down = local_env("-e", "local_env_state=absent")
    assert down.rc == 0, down
    assert [name for name, pid in pids.items() if pid and _running(pid)] == []
