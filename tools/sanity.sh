#!/usr/bin/env bash
# ansible-test sanity must run from a path ending in ansible_collections/docc/platform:
# copy the collection's files (tracked and new, not ignored) there and run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/build/sanity/ansible_collections/docc/platform"
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$ROOT"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  mkdir -p "$DEST/$(dirname "$f")"
  cp -P "$f" "$DEST/$f"
done
cd "$DEST"
ansible-test sanity --color no --python "$(python -c 'import sys;print("%d.%d" % sys.version_info[:2])')" "$@"
