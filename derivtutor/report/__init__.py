"""The class report: what a class got wrong, per exercise, from the graded items."""
