# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The EKS support calendar: recorded DescribeClusterVersions answers, and an emulator
without the API."""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.docc.platform.plugins.module_utils import _eks_versions
from ansible_collections.docc.platform.plugins.modules import eks_version_info
from tests.unit.conftest import retrying
from tests.unit.module_runner import run_module

TODAY = datetime.date(2026, 11, 26)


def _entry(version, status, standard_end, extended_end):
    return {"clusterVersion": version, "clusterType": "eks", "versionStatus": status,
            "status": status.lower().replace("_", "-"),
            "releaseDate": datetime.datetime(2025, 1, 1), "endOfStandardSupportDate": standard_end,
            "endOfExtendedSupportDate": extended_end, "defaultVersion": version == "1.35"}


# A recorded answer (shape of the 2026-11 calendar).
RECORDED = {"clusterVersions": [
    _entry("1.31", "UNSUPPORTED", datetime.datetime(2025, 11, 26), datetime.datetime(2026, 11, 26)),
    _entry("1.33", "EXTENDED_SUPPORT", datetime.datetime(2026, 7, 29), datetime.datetime(2027, 7, 29)),
    _entry("1.34", "STANDARD_SUPPORT", datetime.datetime(2026, 12, 2), datetime.datetime(2027, 12, 2)),
    _entry("1.35", "STANDARD_SUPPORT", datetime.datetime(2027, 3, 27), datetime.datetime(2028, 3, 27)),
    _entry("1.36", "STANDARD_SUPPORT", datetime.datetime(2027, 8, 10), datetime.datetime(2028, 8, 10)),
]}


@pytest.fixture()
def calendar():
    client = boto3.client("eks", region_name="eu-west-1", aws_access_key_id="AKIADOCCUNITTEST0001",
                          aws_secret_access_key="dOcCuNiTsEcReT0000000000000000000000000")
    with Stubber(client) as stub:
        stub.add_response("describe_cluster_versions", RECORDED, {"clusterType": "eks", "includeAll": True})
        versions, reason = _eks_versions.fetch(retrying(client))
    assert reason is None
    return versions


def test_an_unknown_version_lists_the_valid_ones(calendar):
    verdict = _eks_versions.assess("1.37", calendar, TODAY)
    assert verdict["level"] == "unknown"
    assert verdict["message"] == "Kubernetes 1.37 is not an EKS version; EKS offers 1.33, 1.34, 1.35, 1.36"


def test_extended_support_names_the_price_and_the_end(calendar):
    verdict = _eks_versions.assess("1.33", calendar, TODAY)
    assert verdict["level"] == "extended"
    assert "extended support ends 2027-07-29" in verdict["message"]
    assert "$0.60 per hour instead of $0.10 (6 times as much)" in verdict["message"]
    assert _eks_versions.assess("1.33", calendar, TODAY, allow_extended=True)["level"] == "ok"


def test_a_version_near_the_end_of_standard_support_warns(calendar):
    verdict = _eks_versions.assess("1.34", calendar, TODAY)
    assert verdict["level"] == "warn" and verdict["days_left"] == 6
    assert "leaves EKS standard support on 2026-12-02 (in 6 days)" in verdict["message"]


def test_a_version_in_standard_support_is_ok(calendar):
    verdict = _eks_versions.assess("1.36", calendar, TODAY)
    assert verdict["level"] == "ok"
    assert verdict["message"] == "Kubernetes 1.36 is in EKS standard support until 2027-08-10 (257 days left)"


def test_an_unsupported_version_is_refused(calendar):
    assert _eks_versions.assess("1.31", calendar, TODAY)["level"] == "unsupported"


@pytest.mark.parametrize("current, wanted, problem", [
    ("1.35", "1.36", None),
    ("1.35", "1.35", None),
    (None, "1.36", None),
    ("1.35", "1.37", "skips a minor version: EKS upgrades one minor version at a time (next: 1.36)"),
    ("1.36", "1.35", "a downgrade from 1.36 to 1.35"),
])
def test_one_minor_version_at_a_time_and_never_down(current, wanted, problem):
    found = _eks_versions.step_problem(current, wanted)
    assert (found is None) if problem is None else (problem in found)


def test_an_emulator_without_the_api_is_judged_by_the_dated_built_in_calendar(moto_aws):
    """The emulator has no DescribeClusterVersions; a whole platform was built 'Kubernetes 1.99'
    when the calendar was skipped (issue 24). The built-in copy refuses it, and says it was used."""
    failed, result = run_module(eks_version_info.main, {"version": "1.99"})
    assert not failed, result
    assert result["checked"] and result["level"] == "unknown"
    assert "Kubernetes 1.99 is not an EKS version" in result["message"]
    assert result["source"].startswith("the built-in copy of AWS's EKS calendar of 2026-12-04, because the EKS API")
    assert "does not implement DescribeClusterVersions" in result["reason"]


@pytest.mark.parametrize("today, version, status", [
    ("2026-12-04", "1.36", "STANDARD_SUPPORT"), ("2026-12-04", "1.34", "EXTENDED_SUPPORT"),
    ("2026-12-04", "1.31", "UNSUPPORTED"), ("2027-08-02", "1.36", "EXTENDED_SUPPORT"),
])
def test_the_built_in_calendar_follows_the_dates(today, version, status):
    entry = next(v for v in _eks_versions.builtin(datetime.date.fromisoformat(today)) if v["version"] == version)
    assert entry["status"] == status
