# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one place docc.platform builds AWS clients (private to the collection).

Endpoint, region and credentials come from amazon.aws's standard options and environment
(``AWS_ENDPOINT_URL`` reaches botocore directly; credentials come from the SDK chain, for
example ``AWS_PROFILE`` with a shared credentials file), so the single endpoint variable of
the inventory steers every client. Calls with ``aws_retry=True`` and ``paginate`` retry
throttling and transient errors with jittered exponential backoff.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Route53 allows about 5 requests/s per account; EKS and EC2 throttle too. Jittered
# backoff spreads retries from parallel plays.
DEFAULT_RETRY = AWSRetry.jittered_backoff(retries=8, delay=1, max_delay=20)
# Route53 answers PriorRequestNotComplete while an earlier change to the zone settles.
EXTRA_RETRY_CODES = {"route53": ["PriorRequestNotComplete"]}

# What an API that does not implement an operation answers (the local AWS emulator).
_NOT_IMPLEMENTED = ("NotImplemented", "NotImplementedException", "UnknownOperationException", "InvalidAction",
                    "404", "501")


def client(module, service):
    """A boto3 client for ``service`` with docc's retry policy, built by ``module``.

    ``module`` is an amazon.aws AnsibleAWSModule: it validates region/credentials options,
    turns botocore import errors into clear failures and honours ``AWS_ENDPOINT_URL``.
    """
    extra = EXTRA_RETRY_CODES.get(service)
    retry = AWSRetry.jittered_backoff(retries=8, delay=1, max_delay=20, catch_extra_error_codes=extra) \
        if extra else DEFAULT_RETRY
    return module.client(service, retry_decorator=retry)


def paginate(aws_client, operation, **kwargs):
    """The full result of a paginated ``operation``, each page retried on throttling."""
    @DEFAULT_RETRY
    def _all():
        return aws_client.get_paginator(operation).paginate(**kwargs).build_full_result()
    return _all()


def error_code(exc):
    return exc.response.get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""


def is_not_implemented(exc):
    """True when a ClientError says the endpoint lacks the operation (an emulator)."""
    status = str(getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return error_code(exc) in _NOT_IMPLEMENTED or status in ("404", "501") and "not" in str(exc).lower()


def endpoint_of(aws_client):
    """The endpoint URL a client really talks to (the emulator's, or the AWS one)."""
    return aws_client.meta.endpoint_url


def warn(module, message):
    """Emit a warning. amazon.aws 10's AnsibleAWSModule.warn also copies warnings into the
    result, which ansible-core 2.19 reports as a deprecation; warn through the AnsibleModule
    underneath instead (plain AnsibleModules pass through)."""
    getattr(module, "_module", module).warn(message)
