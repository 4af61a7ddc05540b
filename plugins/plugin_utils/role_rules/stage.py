# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rules of the settings every stage shares (the stage role; private to docc.platform)."""

from __future__ import annotations

import re

# S3 bucket names: 3-63 lower-case letters, digits, '.' and '-', starting and ending with a
# letter or digit (Amazon S3 User Guide, "General purpose bucket naming rules").
BUCKET = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


def backend(v):
    # Set once in the inventory, or not at all: the role's defaults then hold.
    if v.setting("stage_state_backend") != "s3":
        return []
    bucket = v.setting("stage_s3_bucket")
    if not bucket:
        return ["stage_state_backend is s3: set stage_s3_bucket, a bucket made beforehand (versioned, encrypted); "
                "Terraform locks each stage's state with a lock file beside it (use_lockfile)"]
    if not re.match(BUCKET, str(bucket)) or ".." in bucket:
        return ["stage_s3_bucket %r is not an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-', "
                "starting and ending with a letter or digit" % (bucket,)]
    if not (v.get("stage_s3_region") or v.get("docc_aws_region")):
        return ["stage_state_backend is s3: set stage_s3_region (it defaults to docc_aws_region)"]
    return []


INPUT = [backend]
STAGE = []
