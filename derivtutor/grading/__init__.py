"""Class grading: reading submissions, forked workers under limits, scoring and report files."""
