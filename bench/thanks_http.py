"""Benchmark: `/thanks` over real HTTP, Goodwill against the durable floor (`make bench`).

    python -m bench.thanks_http [--requests N] [--concurrency C] [--json PATH] ...

See bench._http for the method; docs/BENCHMARKS.md for the figures.
"""

from __future__ import annotations

import sys

from bench._http import main
from bench._workloads import THANKS

if __name__ == "__main__":
    sys.exit(main(THANKS))
