"""Text to expression: the plain and LaTeX lexers, one grammar, the name splitter and the whitelist.

Student text is read here and nowhere else; nothing below this package sees raw text.
Entry point: ``derivtutor.input.parsing.parse``.
"""
