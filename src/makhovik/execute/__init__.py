"""Executors: run many simulations on local processes (Dask and Ray executors can join later)."""

from .local import map_local

__all__ = ["map_local"]
