#!/usr/bin/env bash
# A bounded mutation run (mutmut 3) on the checker, the rule table and the layer rules -- not part of CI.
#
#     pip install mutmut==3.8.1
#     bench/mutation.sh layer-rules | rule-table | checker      # one target, its own fast test selection
#     bench/mutation.sh pointwise | checker-py | trust | unresolved   # one checker file (or function)
#     bench/mutation.sh SOURCE.py[,SOURCE.py...] TEST.py...     # any other source and tests
#
# It works on a copy in a temporary directory (mutmut rewrites what it mutates; $DIR to
# choose it), with one worker ($WORKERS; the machine is shared), for at most $LIMIT
# seconds (default 900; $PYTEST_K narrows the tests with pytest -k; $MUTANTS runs only the
# mutants whose names match, e.g. 'derivtutor.checking.trust.x_unresolved__mutmut_*'), then
# prints the counts and the mutants that survived:
# `cd $DIR && mutmut show NAME` prints one as a diff. docs/mutation.md has the results.
#
# Caches: mutmut 3 does not mutate decorated functions at all, so in the copy each top-level
# `@lru_cache(...)` is moved below the module (NAME = lru_cache(...)(NAME)) and the cached
# functions are mutated too. Each mutant is forked from a fork server that has only collected
# the tests (process_isolation = "forkserver"), not from mutmut's main process, which ran the
# clean tests and whose caches hold the original code's answers; the checker's tests also
# clear every derivtutor cache before each test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DIR:-$(mktemp -d /tmp/derivtutor-mutants.XXXX)}
LIMIT=${LIMIT:-900}
WORKERS=${WORKERS:-1}
TARGET=${1:-layer-rules}
shift || true
# Each target: the sources it mutates and the fast tests that witness them (sympy.diff,
# finite differences, hand-checked verdicts). Whole slow files (the proofs of deep nets,
# the CLI) would make one mutant cost a minute.
CHECKING=derivtutor/checking
case "$TARGET" in
  layer-rules)
    SOURCES="derivtutor/backprop/layer_rules.py"
    TESTS="tests/test_layer_rules_mutants.py tests/test_backprop_independence.py" ;;
  rule-table)
    SOURCES="derivtutor/steps/rules_elementary.py"
    TESTS="tests/test_rule_table_mutants.py" ;;
  checker)
    SOURCES="$CHECKING/checker.py $CHECKING/pointwise.py $CHECKING/trust.py"
    TESTS="tests/test_checker_mutants.py tests/test_checker_mutants_messages.py tests/test_checker_mutants_pointwise.py tests/test_checker_mutants_trust.py" ;;
  checker-py)
    SOURCES="$CHECKING/checker.py"
    TESTS="tests/test_checker_mutants.py tests/test_checker_mutants_messages.py" ;;
  pointwise)
    SOURCES="$CHECKING/pointwise.py"
    TESTS="tests/test_checker_mutants_pointwise.py" ;;
  trust|unresolved)
    SOURCES="$CHECKING/trust.py"
    TESTS="tests/test_checker_mutants_trust.py"
    [ "$TARGET" = unresolved ] && MUTANTS=${MUTANTS:-derivtutor.checking.trust.x_unresolved__mutmut_*} ;;
  *)
    SOURCES=${TARGET//,/ }
    TESTS=${*:?give the test files after the sources} ;;
esac
mkdir -p "$DIR"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -c) | tar -x -C "$DIR"
cd "$DIR"
rm -rf mutants
sed -i 's/addopts = "-ra --doctest-modules"/addopts = "-ra"/' pyproject.toml
python3 - $SOURCES <<'EOF'
import re, sys
for path in sys.argv[1:]:
    lines, out, wrap = open(path).read().split("\n"), [], []
    for i, line in enumerate(lines):
        name = re.match(r"def (\w+)\(", lines[i + 1]) if i + 1 < len(lines) else None
        if name and re.match(r"@(functools\.)?(lru_cache|cache)\b", line):
            wrap.append(f"{name.group(1)} = {line[1:]}({name.group(1)})  # moved by bench/mutation.sh")
            continue
        out.append(line)
    open(path, "w").write("\n".join(out + wrap) + "\n")
EOF
quote() { printf '"%s", ' "$@"; }
{
  echo; echo "[tool.mutmut]"
  echo "source_paths = [$(quote $SOURCES)]"
  echo "also_copy = [\"derivtutor\", \"exercises\", \"README.md\"]"
  echo "process_isolation = \"forkserver\""
  echo "pytest_add_cli_args = [\"-p\", \"no:cacheprovider\", \"-q\", \"-x\"]"
  echo "pytest_add_cli_args_test_selection = [$(quote $TESTS)${PYTEST_K:+\"-k\", \"$PYTEST_K\"}]"
} >> pyproject.toml
set -f  # $MUTANTS is a pattern for mutmut, not for the shell
timeout "$LIMIT" mutmut run --max-children "$WORKERS" ${MUTANTS:-} > run.log 2>&1 || echo "(mutmut stopped: exit $?, limit $LIMIT s; see $DIR/run.log)"
mutmut results --all true > results.txt 2>/dev/null || mutmut results > results.txt
if [ -n "${MUTANTS:-}" ]; then  # count only the selected mutants (one name, or a prefix and *)
  grep -F "${MUTANTS%\*}" results.txt > results.sel || true; mv results.sel results.txt
fi
echo "target $TARGET: $(grep -c ': killed' results.txt || true) killed, $(grep -c ': survived' results.txt || true) survived," \
     "$(grep -c ': timeout' results.txt || true) timeout, $(grep -c ': not checked' results.txt || true) not checked," \
     "$(grep -c ': no tests' results.txt || true) no tests, of $(wc -l < results.txt)"
grep -E ": (survived|no tests|timeout)" results.txt || true
echo "mutants in $DIR"
