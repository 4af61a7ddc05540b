# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chart_source and aws_regions: where a chart comes from; where a service exists."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.docc.platform.plugins.filter.aws_regions import aws_regions
from ansible_collections.docc.platform.plugins.filter.chart_source import chart_source


@pytest.mark.parametrize("chart, expected", [
    ({"ref": "/charts/fixture-ingress"}, {"kind": "path", "path": "/charts/fixture-ingress", "url": None}),
    ({"ref": "oci://ghcr.io/nginx/charts/nginx-ingress"}, {"kind": "oci", "path": None,
                                                           "url": "https://ghcr.io/v2/"}),
    ({"ref": "traefik", "repo_url": "https://traefik.github.io/charts/"},
     {"kind": "repo", "path": None, "url": "https://traefik.github.io/charts/index.yaml"}),
])
def test_each_kind_of_chart_has_the_url_that_answers_when_it_can_be_fetched(chart, expected):
    source = chart_source(chart)
    assert {k: source[k] for k in expected} == expected


def test_a_chart_name_without_a_repository_is_refused_with_the_reason():
    with pytest.raises(AnsibleFilterError, match="needs a repository URL"):
        chart_source({"ref": "traefik"})


def test_eks_regions_come_from_botocore_data_and_include_the_usual_ones():
    regions = aws_regions("eks")
    assert {"eu-west-1", "us-east-1"} <= set(regions) and regions == sorted(regions)
    assert "cn-north-1" not in regions and "cn-north-1" in aws_regions("eks", "aws-cn")


def test_an_unknown_partition_is_named():
    with pytest.raises(AnsibleFilterError, match="unknown partition 'aws-moon'"):
        aws_regions("eks", "aws-moon")
