"""``derivtutor exercises list|show``: browse the exercise bank."""
from __future__ import annotations

import argparse
import re

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json
from derivtutor.cli.variant_flags import add_student_flags, student_variant, variant_fields


def register(subparsers) -> None:
    parser = subparsers.add_parser("exercises", help="list the exercise bank or show one exercise")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="list exercises (id, topic, difficulty, title)")
    listing.add_argument("--topic", help="only this topic (e.g. chain, ml, table)")
    listing.add_argument("--kind", help="only this kind (derivative, identity, value, backprop, descent)")
    listing.add_argument("--difficulty", type=int, choices=(1, 2, 3), help="only this difficulty")
    show = actions.add_parser("show", help="show one exercise's prompt, and hints on request")
    show.add_argument("id", help="exercise id, as in 'exercises list'")
    show.add_argument("--hint", type=int, metavar="N", default=0, help="also show hints 1..N")
    show.add_argument("--hints", action="store_true", help="show every hint")
    add_student_flags(show)
    for sub in (listing, show):
        sub.add_argument("--exercises", metavar="DIR", help="exercise folder (default: the bundled bank)")
        add_json_flag(sub)
        add_lang_flag(sub)
        sub.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from derivtutor.course.bank import ExerciseError, load_exercises

    try:
        bank = load_exercises(args.exercises)
    except ExerciseError as exc:
        return fail(args, "exercises.bank", str(exc))
    if args.action == "list":
        return _list(args, bank)
    return _show(args, bank)




def _list(args, bank: dict) -> int:
    from derivtutor.catalogue import message

    chosen = [ex for ex in bank.values()
              if (args.topic is None or ex.topic == args.topic)
              and (args.kind is None or ex.kind == args.kind)
              and (args.difficulty is None or ex.difficulty == args.difficulty)]
    if args.json:
        print_json([{"id": ex.id, "kind": ex.kind, "topic": ex.topic, "difficulty": ex.difficulty,
                     "points": ex.points, "title": ex.title[args.lang], **_randomised(ex)} for ex in chosen])
        return EXIT_OK
    if not chosen:
        print(message("exercises.none", args.lang))
        return EXIT_OK
    width = max(len(ex.id) for ex in chosen)
    for ex in chosen:
        print(f"{ex.id:<{width}}  {ex.topic:<9} {'*' * ex.difficulty:<3}  {ex.title[args.lang]}")
    print(message("exercises.count", args.lang, count=len(chosen)))
    return EXIT_OK


def _show(args, bank: dict) -> int:
    from derivtutor.catalogue import message
    from derivtutor.catalogue import format_points

    exercise = bank.get(args.id)
    if exercise is None:
        return fail(args, "exercises.not-found", message("exercises.not-found", args.lang, id=args.id))
    exercise = student_variant(args, exercise)
    lang = args.lang
    count = len(exercise.hints) if args.hints else min(max(args.hint, 0), len(exercise.hints))
    hints = [hint[lang] for hint in exercise.hints[:count]]
    if args.json:
        print_json({"id": exercise.id, "kind": exercise.kind, "topic": exercise.topic,
                    "difficulty": exercise.difficulty, "points": exercise.points,
                    "title": exercise.title[lang], "prompt": exercise.prompt[lang],
                    "hints": hints, "hint_count": len(exercise.hints), **variant_fields(exercise)})
        return EXIT_OK
    print(exercise.title[lang])
    print(message("exercises.heading", lang, id=exercise.id, kind=exercise.kind, topic=exercise.topic,
                  difficulty=exercise.difficulty, points=format_points(exercise.points)))
    print()
    print(terminal_maths(exercise.prompt[lang], lang))
    if getattr(args, "student", None) and exercise.get("variant"):
        print(message("variants.shown", lang, student=args.student, variant=exercise.get("variant")))
    for number, text in enumerate(hints, start=1):
        print(message("exercises.hint", lang, number=number, text=terminal_maths(text, lang)))
    if not hints and exercise.hints:
        print(message("exercises.no-more-hints", lang, count=len(exercise.hints)))
    return EXIT_OK


def terminal_maths(text: str, lang: str) -> str:
    r"""Inline $LaTeX$ written as the terminal shows maths (``derivtutor.render.terminal``).

    >>> terminal_maths(r"Find $y = \operatorname{tg} x^2$ in $x$.", "ru")
    'Find y = tg x^2 in x.'
    """
    from derivtutor.render.terminal import terminal_maths as written

    return written(text, lang)


def _randomised(exercise) -> dict:
    """Whether the exercise gives each student a variant, and over which parameters."""
    from derivtutor.course.variants import is_randomised

    table = exercise.data.get("parameters") or {}
    return {"randomised": is_randomised(exercise), "parameters": [n for n in table if n != "constraints"]}
