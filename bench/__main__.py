"""Every benchmark of issue 9, one after another: `make bench` or `.venv/bin/python -m bench`.

Each prints its own figures and ratios to its baseline; this adds the machine and the total time.
The surge harness (`python -m bench.surge`, faults included) is separate: it restarts PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.harness import machine

BENCHMARKS = (
    ("submission", ["bench.submission"]),
    ("feeds", ["bench.feeds"]),
    ("published responses (pages and exports)", ["bench.published"]),
    ("campaign detection", ["bench.campaigns"]),
)


def main() -> int:
    print(f"Benchmarks on {machine()}\n", flush=True)
    began = time.monotonic()
    failed = []
    for name, module in BENCHMARKS:
        started = time.monotonic()
        print(f"==== {name}", flush=True)
        done = subprocess.run([sys.executable, "-m", *module], check=False)
        if done.returncode:
            failed.append(name)
        print(f"==== {name}: {time.monotonic() - started:.0f} s\n", flush=True)
    print(f"All benchmarks: {(time.monotonic() - began) / 60:.1f} minutes")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
