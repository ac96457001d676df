"""derivtutor: a tutor for derivatives and backpropagation.

The public API (imported lazily, because SymPy and the LaTeX parser are slow
to import)::

    parse(text, syntax="auto", variables=None)      -> SymPy expression | ParseError
    differentiate(expr_or_text, var="x")            -> Derivation (steps + result)
    higher_order / gradient / hessian / jacobian    -> several explained derivatives at once
    implicit_text("x^2 + y^2 = 1", "x", "y")        -> dy/dx by implicit differentiation
    check_answer(function, answer, var="x", ...)    -> CheckResult
    check_derivation(function_or_exercise, text, var="x", ...) -> DerivationResult (line by line)
    NetworkSpec.build([2, 3, 1], "sigmoid")         -> a network to derive
    derive_backprop(spec), check_gradients(spec)    -> symbolic backprop and its checks
    descend(expr, start, lr, eps, max_iter)         -> gradient-descent trace
    matrix_gradient(expr, wrt, shapes=None)          -> a matrix gradient with steps and shapes
    mlp                                              -> the numpy multilayer perceptron
    check_submission(lab_spec, code, lang="en")      -> LabReport (a framework lab, sandboxed)
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "parse": "derivtutor.input.parsing",
    "ParseError": "derivtutor.input.parsing",
    "differentiate": "derivtutor.steps.engine",
    "Derivation": "derivtutor.steps.engine",
    "check_answer": "derivtutor.checking.checker",
    "CheckResult": "derivtutor.checking.checker",
    "check_derivation": "derivtutor.derivation.checker",
    "derive_backprop": "derivtutor.backprop.network",
    "check_gradients": "derivtutor.backprop.gradcheck",
    "NetworkSpec": "derivtutor.backprop.network",
    "descend": "derivtutor.descent.lab",
    "matrix_gradient": "derivtutor.matrix.api",
    "sigmoid": "derivtutor.functions",
    "TimeLimitExceeded": "derivtutor.budget",
    "check_submission": "derivtutor.lab.check",
    "higher_order": "derivtutor.steps.multivariate",
    "gradient": "derivtutor.steps.multivariate",
    "hessian": "derivtutor.steps.multivariate",
    "jacobian": "derivtutor.steps.multivariate",
    "implicit_text": "derivtutor.steps.implicit",
    "check_gradient": "derivtutor.checking.vectors",
    "check_implicit": "derivtutor.checking.implicit",
    "check_order": "derivtutor.checking.orders",
}
_SUBMODULES = {"mlp": "derivtutor.backprop.mlp"}

__all__ = sorted(_EXPORTS) + sorted(_SUBMODULES)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(_SUBMODULES[name])
    raise AttributeError(f"module 'derivtutor' has no attribute {name!r}")


def __dir__():
    return __all__
