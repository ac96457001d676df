"""Autograding a framework lab: a student's own numpy MLP, gradient-checked and trained.

The flow: ``spec`` (the bank's [lab] table) -> ``plan`` (the grader's inputs) ->
``sandbox`` + ``probe`` (the student's code runs only in a child process) ->
``judge`` and ``compare`` (every reference and score computed here) -> ``check``
(the LabReport) -> ``feedback`` (text, JSON, Gradescope). ``source`` reads .py
files and notebooks.

>>> from derivtutor.lab import check_submission, read_spec
"""
from derivtutor.lab.check import LabReport, TestResult, check_submission
from derivtutor.lab.source import SubmissionError, code_from_text, read_submission
from derivtutor.lab.spec import LabSpec, LabSpecError, read_spec

__all__ = ["LabReport", "TestResult", "check_submission", "SubmissionError", "code_from_text",
           "read_submission", "LabSpec", "LabSpecError", "read_spec"]
