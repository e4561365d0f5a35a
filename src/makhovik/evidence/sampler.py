"""A pyABC sampler whose every evaluation draws its randomness from the calibration seed and its own number.

Evaluation ``i`` of generation ``t`` seeds numpy's and Python's global generators (which
pyABC and the calibration's models draw from) from ``SeedSequence([seed, t + 1, i])``
before it runs, and a generation keeps the first ``n`` accepted evaluations by number, as
pyABC's own evaluation-parallel samplers do. So a generation's population is a function of
the seed, the generation and the stored state only: the same for one worker or many, and
the same after a kill and ``--resume`` as in a calibration never interrupted. Only the count
of evaluations made differs with the workers (those still running when the last needed
particle is accepted are counted, not used).

Imported only where a calibration runs: it needs pyABC (the ``calibrate`` extra).
"""

from __future__ import annotations

import multiprocessing as mp
import random
from ctypes import c_longlong

import numpy as np
from pyabc.sampler.multicorebase import MultiCoreSampler, get_if_worker_healthy

__all__ = ["SeededSampler", "seed_evaluation"]

_DONE = "done"


def seed_evaluation(seed: int, t: int, i: int) -> None:
    """Seed numpy's and Python's global generators for evaluation ``i`` of generation ``t`` (``t = -1``: pyABC's
    calibration sample from the prior).

    Examples
    --------
    >>> seed_evaluation(7, 0, 3); a = np.random.random()
    >>> seed_evaluation(7, 0, 3); a == np.random.random()
    True
    """
    state = np.random.SeedSequence([seed, t + 1, i]).generate_state(2)
    np.random.seed(int(state[0]))  # noqa: NPY002 - pyABC draws from numpy's global generator
    random.seed(int(state[1]))


class SeededSampler(MultiCoreSampler):
    """Evaluation-parallel sampling on ``n_procs`` forked processes (in this one when 1), seeded by evaluation."""

    def __init__(self, n_procs: int, seed: int):
        super().__init__(n_procs=n_procs, daemon=True)
        self.seed = int(seed)

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        if self.n_procs <= 1:
            return self._inline(n, simulate_one, t, max_eval, all_accepted)
        return self._forked(n, simulate_one, t, max_eval, all_accepted)

    def _inline(self, n, simulate_one, t, max_eval, all_accepted):
        sample = self._create_empty_sample()
        i = n_acc = 0
        while n_acc < n and (not all_accepted or i < n) and (not self.check_max_eval or i < max_eval):
            seed_evaluation(self.seed, t, i)
            sim = simulate_one()
            sample.append(sim)
            n_acc += bool(sim.accepted)
            i += 1
        self.nr_evaluations_ = i
        if sample.n_accepted < n:
            sample.ok = False
        return sample

    def _forked(self, n, simulate_one, t, max_eval, all_accepted):
        ctx = mp.get_context("fork")
        n_eval, n_acc, queue = ctx.Value(c_longlong), ctx.Value(c_longlong), ctx.Queue()
        n_eval.value = n_acc.value = 0
        args = (simulate_one, queue, n_eval, n_acc, n, self.check_max_eval, max_eval, all_accepted,
                self._create_empty_sample, self.seed, t)
        procs = [ctx.Process(target=_work, args=args, daemon=self.daemon) for _ in range(self.n_procs)]
        for proc in procs:
            proc.start()
        got, done = [], 0
        while done < len(procs):
            val = get_if_worker_healthy(procs, queue)
            if val == _DONE:
                done += 1
            else:
                got.append(val)
        for proc in procs:
            proc.join()
        got.sort(key=lambda x: x[0])  # the first n accepted by number: what one worker would keep
        self.nr_evaluations_ = n_eval.value
        sample = self._create_empty_sample()
        for _, part in got[:n]:
            sample += part
        if sample.n_accepted < n:
            sample.ok = False
        return sample


def _work(simulate_one, queue, n_eval, n_acc, n, check_max_eval, max_eval, all_accepted, sample_factory, seed, t):
    """A forked worker: take the next evaluation number, seed, simulate, report the accepted ones."""
    sample = sample_factory()
    while n_acc.value < n and (not all_accepted or n_eval.value < n) and (not check_max_eval or n_eval.value < max_eval):
        with n_eval.get_lock():
            i = n_eval.value
            n_eval.value += 1
        seed_evaluation(seed, t, i)
        sim = simulate_one()
        sample.append(sim)
        if sim.accepted:
            with n_acc.get_lock():
                n_acc.value += 1
            queue.put((i, sample))  # this accepted evaluation, with the rejected ones before it in this worker
            sample = sample_factory()
    queue.put(_DONE)
