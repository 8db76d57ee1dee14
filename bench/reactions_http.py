"""Benchmark: `reaction_added` events over real HTTP, Goodwill against the durable floor.

    python -m bench.reactions_http [--requests N] [--concurrency C] [--json PATH] ...

Every event puts a credit emoji on a new message, so each is a new credit with its private
confirmation. See bench._http for the method; docs/BENCHMARKS.md for the figures.
"""

from __future__ import annotations

import sys

from bench._http import main
from bench._workloads import REACTIONS

if __name__ == "__main__":
    sys.exit(main(REACTIONS))
