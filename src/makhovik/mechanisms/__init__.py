"""One module per mechanism of the system; each module's docstring names the claims it carries.

=================  ====================================================  ==============
module             mechanism                                             claims
=================  ====================================================  ==============
``alarm``          alarm and precedent                                   C3, C4, C5
``pressure``       factional pressure on the centre                      C2, C6-C11
``centre``         the centre's decisions                                C1, C8, C9, C15, C16
``nkvd``           the NKVD machine: capacity, limits, troikas, lists    C12, C13
``flywheel``       interrogation, naming, the cascade, R_eff             C13, C14, C17
``control``        control index and stop-order latency                  C17, C20
``decline``        self-consumption and decline                          C18, C19, C20
=================  ====================================================  ==============

Every mechanism is a set of functions ``f(ctx)`` over a :class:`makhovik.engine.Context`:
they read the world and the parameters, update the state, and push events. They do no
I/O and draw randomness only from ``ctx.rng`` (the kernels from ``ctx.krng``, the same
generator held by reference). The per-agent and per-block work of a week is done in
compiled kernels (numba, beside each mechanism or in :mod:`makhovik.kernels`) that take the
state's arrays and the generator. Most of it is one call a week
(:func:`makhovik.engine._machine_week`): each mechanism gives the arrays and rules that stay
the same all run once (packed in a :class:`~makhovik.kernels.Pack`) and this week's part
every week.
"""

from . import alarm, centre, control, decline, flywheel, nkvd, pressure

__all__ = ["alarm", "centre", "control", "decline", "flywheel", "nkvd", "pressure", "CLAIMS"]

#: Claims each mechanism module carries (checked against ``claims.yaml`` by the tests).
CLAIMS: dict[str, tuple[str, ...]] = {
    name: mod.CLAIMS for name, mod in
    {"alarm": alarm, "pressure": pressure, "centre": centre, "nkvd": nkvd, "flywheel": flywheel,
     "control": control, "decline": decline}.items()
}
