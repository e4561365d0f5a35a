"""Observables of a run: the result tables, and figures of them."""

from .result import Result, build_result, operation_labels

__all__ = ["Result", "build_result", "operation_labels"]
