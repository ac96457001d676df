#!/usr/bin/env bash
# A bounded mutation run (mutmut 3) on the checker, the rule table and the layer rules -- not part of CI.
#
#     pip install mutmut==3.8.1 && bench/mutation.sh [SOURCE.py TEST.py...]    # default: the layer rules
#
# It works on a copy in a temporary directory (mutmut rewrites what it mutates), runs
# for at most $LIMIT seconds (default 1200), then prints the surviving mutants:
# `cd $DIR && mutmut show NAME` prints one as a diff.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DIR:-$(mktemp -d /tmp/derivtutor-mutants.XXXX)}
LIMIT=${LIMIT:-1200}
SOURCES=${1:-derivtutor/backprop/layer_rules.py}
shift || true
TESTS=${*:-tests/test_backprop.py tests/test_backprop_edges.py}
mkdir -p "$DIR"
(cd "$ROOT" && git ls-files -z | xargs -0 tar -c) | tar -x -C "$DIR"
cd "$DIR"
sed -i 's/addopts = "-ra --doctest-modules"/addopts = "-ra"/' pyproject.toml
{
  echo; echo "[tool.mutmut]"
  echo "source_paths = [$(printf '"%s", ' $SOURCES)]"
  echo "also_copy = [\"derivtutor\", \"exercises\", \"README.md\"]"
  echo "pytest_add_cli_args = [\"-p\", \"no:cacheprovider\", \"-q\"]"
  echo "pytest_add_cli_args_test_selection = [$(printf '"%s", ' $TESTS)]"
} >> pyproject.toml
timeout "$LIMIT" mutmut run --max-children 2 || echo "(stopped after $LIMIT s)"
mutmut results | grep -v ": killed" || true
echo "mutants in $DIR"
