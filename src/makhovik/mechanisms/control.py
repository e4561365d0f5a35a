"""Control (C17, C20): the share of arrests the centre ordered or approved, and how fast a stop order bites.

- C17: the control index is an exponentially weighted share of campaign arrests whose
  cause is ``ordered`` (within centrally set limits, central sanction, show trials,
  national orders) or ``approved`` (within limits the centre raised at a region's request),
  against ``cascade``, ``regional`` initiative and ``over_limit`` arrests. Routine cases
  are left out.
- C20: a stop order takes effect after
  ``round(stop_latency_base + stop_latency_slope * (1 - control))`` weeks.
"""

from __future__ import annotations

import numpy as np

from ..codes import Cause

__all__ = ["CLAIMS", "update", "stop_latency", "CONTROLLED", "UNCONTROLLED"]

CLAIMS = ("C17", "C20")
CONTROLLED = (Cause.ORDERED, Cause.APPROVED)
UNCONTROLLED = (Cause.CASCADE, Cause.REGIONAL, Cause.OVER_LIMIT)


def update(ctx, week_counts) -> float:
    """Fold this week's arrests by cause (an array or list, in cause order) into the control index; returns it.

    Weeks without campaign arrests leave the index unchanged.
    """
    wc = week_counts.tolist() if isinstance(week_counts, np.ndarray) else week_counts
    ctrl = sum(wc[c] for c in CONTROLLED)
    total = ctrl + sum(wc[c] for c in UNCONTROLLED)
    if total > 0:
        alpha = 1.0 / ctx.params.control.smoothing_weeks
        ctx.state.control = (1 - alpha) * ctx.state.control + alpha * ctrl / total
    return ctx.state.control


def stop_latency(control: float, params) -> int:
    """Weeks from a stop order to its effect, given the control index.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> stop_latency(1.0, NS(control=NS(stop_latency_base=1, stop_latency_slope=4)))
    1
    >>> stop_latency(0.25, NS(control=NS(stop_latency_base=1, stop_latency_slope=4)))
    4
    """
    c = params.control
    return int(round(c.stop_latency_base + c.stop_latency_slope * (1.0 - min(max(control, 0.0), 1.0))))
