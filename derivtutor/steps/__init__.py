"""Expression to rule tree: derivative rules as frozen dataclasses, the finder table and simplification.

Entry point: ``derivtutor.steps.engine.differentiate``.
"""
