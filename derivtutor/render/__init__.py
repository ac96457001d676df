"""Rule tree to text: the step printers for plain text, LaTeX, Markdown and JSON.

Printers dispatch on the rule class (``_print_<RuleName>``); sentences come from the catalogue.
"""
