#!/usr/bin/env python3
"""Hash every table of seeded runs: the check that a refactoring left the model's behaviour as it was.

Usage: python tools/table_hashes.py [--scale 0.01] [--seeds 1,2] [--save FILE | --against FILE]

Runs each built-in hypothesis for each seed, hashes each result table (weekly, events, series,
power, agents, limits) and the built world's arrays, and prints one line per run. ``--save``
writes the hashes; ``--against`` compares with a saved file and exits 1 on any difference,
naming the run and the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import warnings


def _hash_frame(df) -> str:
    import pandas as pd

    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()[:16]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--save")
    ap.add_argument("--against")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    import numpy as np

    import makhovik

    out = {}
    for h in ("seed", "center", "interaction"):
        scn = makhovik.load_scenario("great-terror", hypothesis=h, scale=a.scale)
        for s in map(int, a.seeds.split(",")):
            w = makhovik.build_world(scn, seed=np.random.SeedSequence(s).spawn(2)[0])
            world = hashlib.sha256()
            for k in sorted(vars(w)):
                v = getattr(w, k)
                if isinstance(v, np.ndarray):
                    world.update(k.encode() + v.tobytes())
            res = makhovik.simulate(scn, seed=s)
            key = f"{h}/{s}"
            out[key] = {"world": world.hexdigest()[:16], **{n: _hash_frame(df) for n, df in res.tables().items()}}
            print(key, " ".join(f"{n}={v}" for n, v in out[key].items()), flush=True)
    if a.save:
        with open(a.save, "w") as f:
            json.dump(out, f, indent=1)
    if a.against:
        with open(a.against) as f:
            ref = json.load(f)
        diff = [f"{k} {n}" for k in ref for n in ref[k] if out.get(k, {}).get(n) != ref[k][n]]
        print(f"TABLE HASHES: {len(ref)} runs, {len(diff)} tables differ" + (": " + ", ".join(diff) if diff else ""))
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
