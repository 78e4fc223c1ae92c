"""Instructions that extraction executes, counted by valgrind's callgrind: a figure that does not move
with the load of a shared machine, for comparing two versions of the extractor.

    python benchmarks/instructions.py --count 200                  # this checkout
    python benchmarks/instructions.py --count 200 --tree /tmp/old  # another checkout, same corpus

Only the extraction loop is counted: the child extracts two reports to load the data files and
build the automata, then the rest inside `functools.reduce`, and callgrind collects only while the
C function behind it runs (`--toggle-collect=functools_reduce`; extraction never calls it). Start-up
under valgrind still takes a minute or two; the loop runs some fifty times slower than natively.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["count_instructions", "main"]

ROOT = Path(__file__).resolve().parent.parent
# What the child runs: `count` generated reports (seed 3, as the benchmark's corpus), two of them
# outside the counted loop.
_CHILD = """
import functools, sys
sys.path.insert(0, {root!r})
from accordia.extract import extract
from benchmarks.corpus import generate_documents
documents = list(generate_documents({count} + 2, seed={seed}))
extract(documents[0])
extract(documents[1])
functools.reduce(lambda _, document: extract(document), documents[2:], None)
"""
_COLLECTED = re.compile(r"Collected : (\d+)")


def count_instructions(tree: Path, count: int, seed: int = 3) -> int:
    """Instructions executed extracting `count` generated reports with the checkout at `tree`."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is not installed")
    with tempfile.TemporaryDirectory() as scratch:
        command = [valgrind, "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=functools_reduce",
                   f"--callgrind-out-file={Path(scratch) / 'callgrind.out'}", sys.executable, "-c",
                   _CHILD.format(root=str(tree), count=count, seed=seed)]
        # The child imports the tree's package, not one installed in the environment.
        environment = {**os.environ, "PYTHONPATH": str(tree)}
        done = subprocess.run(command, capture_output=True, text=True, cwd=scratch, env=environment, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None or int(found.group(1)) == 0:
        raise SystemExit(f"callgrind gave no count (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    """Print the instructions per report of each checkout given (this one by default)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="reports counted (after two outside the count)")
    parser.add_argument("--seed", type=int, default=3, help="corpus seed")
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to measure (repeatable)")
    args = parser.parse_args(argv)
    for tree in args.tree or [ROOT]:
        total = count_instructions(tree.resolve(), args.count, args.seed)
        print(f"{tree}: {total:,} instructions for {args.count} reports, {total / args.count / 1e6:.2f} M per report")


if __name__ == "__main__":
    main()
