"""Derivations checked line by line: the first wrong step named, with its rule.

Reading (``reading``: lines and terms; ``operators``: where the derivative signs
are; ``terms``: parsing and evaluation), checking (``checker``, ``diagnosis``)
and the per-line report (``report``). Entry point:
``derivtutor.derivation.checker.check_derivation``.
"""
