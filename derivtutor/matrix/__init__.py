"""Matrix calculus with steps and shapes: gradients of scalar matrix expressions.

Text in matrix notation (``||Xw - y||^2``, ``X^\\top``, ``\\odot``) is read by
``matrix.syntax`` with its own lexer (the scalar parser would read ``Xw`` as a product
of numbers); shapes are inferred by unification in ``matrix.shapes``; the gradient is
derived rule by rule in ``matrix.gradient`` and checked numerically in
``matrix.numeric``. Entry point: ``derivtutor.matrix.api.matrix_gradient``.
"""
