"""The symbolic proof shares nothing with the activation table it proves.

Its entry-by-entry part builds the loss from the definitions (exp, log, Max) and
differentiates it with SymPy's own ``diff``; so a wrong table entry, or a wrong
sigma', fails the *entries* of the proof, not only the activation lemmas. Each
mutation is made here by monkeypatching the table (or sigma's derivative).
"""
from __future__ import annotations

import pytest
import sympy

from derivtutor.backprop import layer_rules, proof
from derivtutor.backprop.network import NetworkSpec, derive_backprop, forward_values
from derivtutor.functions import sigmoid

SPEC = NetworkSpec.build([2, 3, 1], "tanh", output="sigmoid")


def entry_failures(spec) -> set:
    net = derive_backprop(proof.tiny_spec(spec))
    return {e.parameter for e in proof.entry_checks(net) if not e.holds}


def _sigma_prime_one_plus(self, argindex=1):
    s = sigmoid(self.args[0])
    return s * (1 + s)


def _tanh_prime_one_plus(self, argindex=1):
    return 1 + sympy.tanh(self.args[0]) ** 2


def test_the_proofs_loss_has_no_activation_of_the_table():
    net = derive_backprop(proof.tiny_spec(NetworkSpec.build([2, 3, 3, 2], ["sigmoid", "tanh"], loss="ce")))
    env = forward_values(net, proof.symbolic_instance(net), proof.DefinitionBackend())
    E = proof.loss_expression(net, env)
    assert not E.atoms(sigmoid, sympy.tanh) and E.atoms(sympy.exp)


def test_unbroken_entries_hold():
    assert entry_failures(SPEC) == set()


def test_tanh_replaced_by_sigmoid_fails_the_entries(monkeypatch):
    monkeypatch.setitem(layer_rules.ACTIVATIONS, "tanh", sigmoid)
    assert entry_failures(SPEC) >= {"V", "v"}  # the hidden layer's f' is sigma', not tanh'
    assert not proof.prove_backprop(SPEC).verified


def test_sigma_prime_one_plus_sigma_fails_the_entries(monkeypatch):
    monkeypatch.setattr(sigmoid, "fdiff", _sigma_prime_one_plus)
    assert entry_failures(NetworkSpec.build([2, 3, 1], "sigmoid")) == {"V", "v", "U", "u"}
    assert not proof.prove_backprop(NetworkSpec.build([2, 3, 1], "sigmoid")).verified


def test_tanh_prime_one_plus_fails_the_entries(monkeypatch):
    monkeypatch.setattr(sympy.tanh, "fdiff", _tanh_prime_one_plus)
    assert entry_failures(SPEC) == {"V", "v"}


def test_relu_as_identity_fails_the_entries(monkeypatch):
    monkeypatch.setitem(layer_rules.ACTIVATIONS, "relu", lambda a: a)
    assert entry_failures(NetworkSpec.build([2, 3, 1], "relu", output="linear")) >= {"V", "v"}


@pytest.mark.parametrize("kind, a", [("sigmoid", sympy.Symbol("a")), ("tanh", sympy.Symbol("a") + 1)],
                         ids=["sigmoid", "tanh"])
def test_fold_is_the_unit_output(kind, a):
    # the renaming is a change of variable: applied to the definition it gives back the output symbol
    s = sympy.Symbol("s")
    assert sympy.expand(proof.DEFINITIONS[kind](a).xreplace(proof._fold_rules(kind, a, s))) == s


def test_is_zero_needs_a_real_zero():
    t = sympy.exp(-sympy.Symbol("a"))
    assert proof.is_zero(t / (1 + t) ** 2 - 1 / (1 + t) * (1 - 1 / (1 + t)))  # sigma' = sigma (1 - sigma)
    assert not proof.is_zero(t / (1 + t) ** 2 - 1 / (1 + t) * (1 + 1 / (1 + t)))
