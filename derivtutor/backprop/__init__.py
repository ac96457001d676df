"""Backpropagation: network specs, the symbolic layer program, its proof and numeric checks, the numpy MLP and the computational-graph table."""
