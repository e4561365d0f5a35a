"""Figures (and, later, the HTML report) from run results."""

from .figures import run_figure

__all__ = ["run_figure"]
