"""Measure extraction on the scored sets and pin the F1 floors: `python -m tests.update_baseline`.

The scored sets are the bundled samples, the development set (tests/devset/) and the held-out
slice (tests/heldout/). Floors are the
measured F1 rounded down to two decimals; refuses to lower a floor unless `--allow-regression`
is given.
"""

from __future__ import annotations

import json
import math
import sys

from accordia.evaluate import evaluate
from tests.test_extract_golden import BASELINE, SCORED_SETS, corpus_hash


def main(argv: list[str]) -> int:
    old = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    pinned: dict[str, dict[str, object]] = {}
    for name, (golden_dir, reports) in SCORED_SETS.items():
        result = evaluate(golden_dir, [reports])
        floors = {row["field"]: math.floor(row["f1"] * 100) / 100 for row in result.table()}
        previous = old.get(name, {}).get("f1_floors", {})
        lower = {k: (v, previous[k]) for k, v in floors.items() if k in previous and v < previous[k]}
        if lower and "--allow-regression" not in argv:
            print(f"{name}: refusing to lower floors (new, old): {lower}; pass --allow-regression", file=sys.stderr)
            return 1
        pinned[name] = {"corpus_hash": corpus_hash(name), "documents": result.documents, "f1_floors": floors}
    BASELINE.write_text(json.dumps(pinned, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({name: entry["f1_floors"] for name, entry in pinned.items()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
