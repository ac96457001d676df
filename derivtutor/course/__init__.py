"""The exercise bank: loading and validating exercises, the checker of each kind, and worksheets."""
