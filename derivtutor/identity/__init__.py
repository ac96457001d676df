"""Identities (σ' = σ(1 − σ), tanh' = 1 − tanh², ...) derived as chains of checked rewrite steps."""
