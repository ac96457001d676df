"""Course functions that SymPy lacks: the sigmoid sigma(x) = 1/(1 + e^-x).

SymPy has no sigmoid, and writing it as 1/(1 + exp(-x)) loses the identity
sigma' = sigma(1 - sigma) that the course teaches. ``sigmoid`` keeps it:

>>> from sympy import Symbol, diff
>>> x = Symbol("x")
>>> diff(sigmoid(x), x)
(1 - sigmoid(x))*sigmoid(x)
"""
from __future__ import annotations

import sympy
from sympy import Function, exp


class sigmoid(Function):  # noqa: N801 -- named like SymPy's own functions
    """The logistic sigmoid sigma(x) = 1 / (1 + e^(-x))."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sympy.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + exp(-arg))

    def _eval_evalf(self, prec):
        return self.rewrite(exp)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_extended_real

    def _eval_is_positive(self):
        if self.args[0].is_extended_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        base = r"\sigma\left(%s\right)" % arg
        return base if exp is None else r"\sigma^{%s}\left(%s\right)" % (exp, arg)

    def _sympystr(self, printer):
        return "sigmoid(%s)" % printer._print(self.args[0])


def numpy_sigmoid(a):
    """Numerically stable sigmoid for numpy arrays (no overflow for large |a|)."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


#: Modules for ``sympy.lambdify`` that know the course functions.
LAMBDIFY_MODULES = [{"sigmoid": numpy_sigmoid}, "numpy"]
