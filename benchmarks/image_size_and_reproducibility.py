# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure the sample image: final size against the static binary, and reproducibility.

Builds sample/ twice from scratch (--no-cache) with identical build arguments, extracts the
binary from each image, and compares sha256 of binaries and image digests. Writes
benchmarks/results/image.json. Needs a Docker daemon (DOCKER_HOST; `make env-up` gives one)
and the offline builder image local_env makes (docc.local/golang:toolchain).
  .venv/bin/python benchmarks/image_size_and_reproducibility.py
Exit status 1 when the image is larger than 1.05 x the binary.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import pathlib
import subprocess
import tarfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILDER = os.environ.get("BUILDER_IMAGE", "docc.local/golang:toolchain")


def sh(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def build(tag, revision, created):
    start = time.monotonic()
    sh("docker", "build", "--no-cache", "--network", "none", "-q", "-t", tag,
       "--build-arg", "BUILDER_IMAGE=" + BUILDER, "--build-arg", "VERSION=0.1.0",
       "--build-arg", "REVISION=" + revision, "--build-arg", "CREATED=" + created, str(ROOT / "sample"))
    return time.monotonic() - start


def binary_of(tag):
    """(bytes of /docc-sample, layer count) from `docker save`."""
    saved = subprocess.run(["docker", "save", tag], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(saved)) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))[0]
        layers = manifest["Layers"]
        for layer in layers:
            with tarfile.open(fileobj=io.BytesIO(outer.extractfile(layer).read())) as inner:
                for member in inner.getmembers():
                    if member.name.lstrip("./") == "docc-sample":
                        return inner.extractfile(member).read(), len(layers)
    raise SystemExit("no /docc-sample in " + tag)


def main():
    revision, epoch = sh("git", "-C", str(ROOT / "sample"), "log", "-1", "--format=%H %ct", "--", ".").split()
    created = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs = []
    for tag in ("docc-bench/sample:a", "docc-bench/sample:b"):
        seconds = build(tag, revision, created)
        binary, layers = binary_of(tag)
        inspect = json.loads(sh("docker", "image", "inspect", tag))[0]
        runs.append({"tag": tag, "build_seconds": round(seconds, 1), "image_id": inspect["Id"],
                     "image_size_bytes": inspect["Size"], "layers": layers, "binary_size_bytes": len(binary),
                     "binary_sha256": hashlib.sha256(binary).hexdigest(), "image_created": inspect["Created"]})
    first = runs[0]
    result = {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "sample_revision": revision,
        "builder_image": BUILDER,
        "runs": runs,
        "image_to_binary_ratio": round(first["image_size_bytes"] / first["binary_size_bytes"], 4),
        "binary_reproducible": runs[0]["binary_sha256"] == runs[1]["binary_sha256"],
        "image_id_reproducible": runs[0]["image_id"] == runs[1]["image_id"],
        "why_image_id_differs": (
            "the legacy builder stamps each image config with the build time ('created') and records the"
            " binary's build-time mtime in the layer tar; BuildKit with SOURCE_DATE_EPOCH and"
            " rewrite-timestamp would fix both, but no buildx plugin is available here"),
    }
    out = ROOT / "benchmarks" / "results" / "image.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    for tag in ("docc-bench/sample:a", "docc-bench/sample:b"):
        sh("docker", "image", "rm", tag)
    if result["image_to_binary_ratio"] > 1.05:
        raise SystemExit("image is %.3f x the binary (limit 1.05)" % result["image_to_binary_ratio"])


if __name__ == "__main__":
    main()
