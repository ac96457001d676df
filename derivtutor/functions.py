"""Course functions that SymPy lacks: the sigmoid sigma(x) = 1/(1 + e^-x), and the ReLU family.

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
        # the power after the bracket: \sigma^{3}(x) would read back as the letter sigma cubed
        return base if exp is None else r"%s^{%s}" % (base, exp)

    def _sympystr(self, printer):
        return "sigmoid(%s)" % printer._print(self.args[0])


# --- the ReLU family -------------------------------------------------------------
# Kink convention, shared with the backprop engine: at a kink the derivative is the
# left-hand one, so relu'(0) = H(0) = 0 and leaky_relu'(0, a) = a.


def step(x):
    """The Heaviside step H(x) with H(0) = 0 (SymPy's Heaviside with its value at 0 set to 0).

    >>> step(sympy.Integer(0)), step(sympy.Integer(2))
    (0, 1)
    """
    return sympy.Heaviside(x, 0)


def relu(x):
    """relu(x) = max(0, x), written as SymPy's Max so that relu(x) and max(0, x) are one expression."""
    return sympy.Max(0, x)


class softplus(Function):  # noqa: N801 -- named like SymPy's own functions
    """softplus(x) = ln(1 + e^x); softplus' = sigma."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return sympy.log(1 + exp(arg))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_evalf(self, prec):
        return self.rewrite(sympy.log)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_extended_real

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        base = r"\operatorname{softplus}\left(%s\right)" % arg
        return base if exp is None else r"\operatorname{softplus}^{%s}\left(%s\right)" % (exp, arg)


class leaky_relu(Function):  # noqa: N801
    """leaky_relu(x, a) = x for x > 0, a x for x <= 0; its x-derivative is a + (1 - a) H(x), H(0) = 0."""

    nargs = 2

    @classmethod
    def eval(cls, x, a):
        if x.is_extended_positive:
            return x
        if x.is_extended_nonpositive:
            return a * x
        return None

    def fdiff(self, argindex=1):
        x, a = self.args
        if argindex == 1:
            return a + (1 - a) * step(x)
        return x * (1 - step(x))

    def _eval_rewrite_as_Max(self, x, a, **kwargs):
        return sympy.Max(0, x) + a * sympy.Min(0, x)

    def _eval_evalf(self, prec):
        return self.rewrite(sympy.Max)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(arg) for arg in self.args)
        base = r"\operatorname{leaky\_relu}\left(%s\right)" % args
        return base if exp is None else r"\left(%s\right)^{%s}" % (base, exp)


def course_names(expr):
    """``expr`` with Max(0, a) as relu(a) and the step as heaviside(a), for plain-text display only.

    >>> x = sympy.Symbol("x")
    >>> str(course_names(relu(x) + step(x)))
    'heaviside(x) + relu(x)'
    """
    if not expr.has(sympy.Max, sympy.Heaviside):
        return expr
    shown_relu, shown_step = sympy.Function("relu"), sympy.Function("heaviside")
    expr = expr.replace(lambda e: isinstance(e, sympy.Heaviside), lambda e: shown_step(e.args[0]))
    return expr.replace(lambda e: isinstance(e, sympy.Max) and len(e.args) == 2 and 0 in e.args,
                        lambda e: shown_relu(e.args[1] if e.args[0] == 0 else e.args[0]))


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
