"""Answer to verdict: equivalence by exact, numeric and symbolic tiers, and diagnosis of the mistake.

Entry point: ``derivtutor.checking.checker.check_answer``.
"""
