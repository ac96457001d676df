"""The gradient-descent lab: iteration tables, learning-rate studies, data mode and plots."""
