"""web.jobs makes a check's JSON itself: the very text that the CLI's print_json prints."""
from __future__ import annotations

import io
import json
import math
from contextlib import redirect_stdout

from hypothesis import given, settings
from hypothesis import strategies as st

from derivtutor.cli.common import print_json
from derivtutor.web.jobs import _strict, print_json_text

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.sampled_from([0.1, 1e-300, -0.0, 2.9e300, 1e16, float("inf"), float("nan"), "</script>", "ж\u2028\x00"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(max_size=5) | st.integers() | st.none() | st.booleans()
                                        | st.floats(allow_nan=False), inner, max_size=4), max_leaves=20)


def printed(data) -> str:
    """The witness: what the CLI prints, as web.jobs read it before (strict JSON for Infinity/NaN)."""
    out = io.StringIO()
    with redirect_stdout(out):
        print_json(data)
    text, constants = out.getvalue(), []
    json.loads(text, parse_constant=constants.append)
    return _strict(text) if constants else text


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_the_json_is_what_print_json_prints(data):
    assert print_json_text(data) == printed(data)


def test_a_check_result_and_its_overflow():
    data = {"verdict": "incorrect", "score": 0.0, "diagnosis": ("check.chain",), "message": "Нет.",
            "counterexample": {"point": {"x": 0.5}, "expected": math.inf, "answer": -1.5}}
    assert print_json_text(data) == printed(data)
    assert json.loads(print_json_text(data))["counterexample"]["expected"] == "Infinity"
