"""Measure extraction on the golden samples and pin the F1 floors: `python -m tests.update_baseline`.

Floors are the measured F1 rounded down to two decimals; refuses to lower a floor unless
`--allow-regression` is given.
"""

from __future__ import annotations

import json
import math
import sys

from accordia.evaluate import evaluate
from tests.conftest import GOLDEN
from tests.test_extract_golden import BASELINE, SAMPLES, corpus_hash


def main(argv: list[str]) -> int:
    result = evaluate(GOLDEN / "samples", [SAMPLES])
    floors = {row["field"]: math.floor(row["f1"] * 100) / 100 for row in result.table()}
    if BASELINE.exists() and "--allow-regression" not in argv:
        old = json.loads(BASELINE.read_text(encoding="utf-8"))["f1_floors"]
        lower = {k: (v, old[k]) for k, v in floors.items() if k in old and v < old[k]}
        if lower:
            print(f"refusing to lower floors (new, old): {lower}; pass --allow-regression", file=sys.stderr)
            return 1
    BASELINE.write_text(json.dumps({"corpus_hash": corpus_hash(), "documents": result.documents,
                                    "f1_floors": floors}, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(floors, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
