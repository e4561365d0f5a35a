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
compiled functions that take the state's arrays and the generator, one call a week
(:func:`makhovik.engine._machine_week`). Each mechanism that takes part in it owns, in
its own module:

- a named structure of its run-long arrays and rules (a ``NamedTuple`` whose fields the
  compiled code reads by name: ``decline.Posts``, ``flywheel.Run`` and
  ``flywheel.Interrogation``, ``nkvd.Run``, ``alarm.Precedent``), made once a run by a
  function of the same name in lower case (``nkvd.run(ctx)``) in
  :meth:`makhovik.engine.Context.build`;
- a named structure of this week's inputs where it has any (``flywheel.Week``,
  ``nkvd.Week``), made each week by its ``week_inputs(ctx, pr)``;
- one compiled function that carries its rule (``decline.week``, ``flywheel.arrests`` and
  ``flywheel.interrogate``, ``nkvd.week``, ``alarm.prosecutions``).

The engine's compiled week is these calls in order; ``docs/architecture.md`` draws it.
"""

from . import alarm, centre, control, decline, flywheel, nkvd, pressure

__all__ = ["alarm", "centre", "control", "decline", "flywheel", "nkvd", "pressure", "CLAIMS"]

#: Claims each mechanism module carries (checked against ``claims.yaml`` by the tests).
CLAIMS: dict[str, tuple[str, ...]] = {
    name: mod.CLAIMS for name, mod in
    {"alarm": alarm, "pressure": pressure, "centre": centre, "nkvd": nkvd, "flywheel": flywheel,
     "control": control, "decline": decline}.items()
}
