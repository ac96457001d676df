"""The --student and --seed flags of the commands that show or check one student's variant.

    derivtutor exercises show chain-sin-3x --student ivanova --seed fall-2026 --json
"""
from __future__ import annotations


def add_student_flags(parser) -> None:
    parser.add_argument("--student", metavar="ID",
                        help="show or check this student's variant of a randomised exercise")
    parser.add_argument("--seed", metavar="SEED",
                        help="course seed that picks the variants (default: $DERIVTUTOR_COURSE_SEED)")


def student_variant(args, exercise):
    """The exercise as ``--student`` sees it (itself when fixed, or when no student is named)."""
    from derivtutor.course.variants import for_student

    return for_student(exercise, getattr(args, "student", None), getattr(args, "seed", None))


def variant_fields(exercise) -> dict:
    """The JSON fields of a shown exercise: function, variable, reference answer, variant label."""
    return {"function": exercise.get("function"), "variable": exercise.get("variable"),
            "answer": exercise.get("answer"), "variant": exercise.get("variant")}
