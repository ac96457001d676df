#!/usr/bin/env bash
# Build autograder.zip for Gradescope from this repository:
#   bash docs/gradescope/make_autograder.sh [OUT.zip]
# The zip holds setup.sh, run_autograder and derivtutor-src/ (the package and the
# exercise bank). Edit ASSIGNMENT in run_autograder first, or add your own
# exercises/*.toml to the repository's exercises/ folder.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$(realpath -m "${1:-autograder.zip}")"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/derivtutor-src"
cp "$HERE/setup.sh" "$HERE/run_autograder" "$STAGE/"
chmod +x "$STAGE/setup.sh" "$STAGE/run_autograder"
cp -r "$REPO/pyproject.toml" "$REPO/README.md" "$REPO/derivtutor" "$REPO/exercises" "$STAGE/derivtutor-src/"
find "$STAGE" -name "__pycache__" -type d -prune -exec rm -rf {} +
rm -f "$OUT"
(cd "$STAGE" && python3 -m zipfile -c "$OUT" setup.sh run_autograder derivtutor-src)
echo "wrote $OUT"
