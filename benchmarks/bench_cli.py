"""Start-up of `dozor --help` and `dozor --version`: each a fresh interpreter, best of N.

Baseline, measured in the same run: the same interpreter importing every command module (what
`dozor --help` did before the command table: the bot, the database layer, pymorphy3 and
matplotlib). Target: `--help` under 0.3 s and at least 5× faster than the baseline.
Run: ``python benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

RUNS = 5
TARGET_S = 0.3
BASELINE = (
    "import importlib, bot.cli.main as m\n"
    "for name in m.COMMAND_MODULES: importlib.import_module(name)\n"
)


def best(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    bare = best([sys.executable, "-c", "pass"])
    help_s = best([sys.executable, "-m", "bot", "--help"])
    version_s = best([sys.executable, "-m", "bot", "--version"])
    base_s = best([sys.executable, "-c", BASELINE])
    print(f"{'what':34} {'best of ' + str(RUNS):>10}")
    print(f"{'python -c pass':34} {bare:9.3f}s")
    print(f"{'dozor --help':34} {help_s:9.3f}s")
    print(f"{'dozor --version':34} {version_s:9.3f}s")
    print(f"{'baseline: import every command':34} {base_s:9.3f}s")
    met = help_s < TARGET_S and base_s / help_s >= 5
    print(
        json.dumps(
            {
                "bench": "cli_startup",
                "help_s": round(help_s, 3),
                "version_s": round(version_s, 3),
                "python_bare_s": round(bare, 3),
                "baseline": {"name": "import every command module", "s": round(base_s, 3)},
                "speedup": round(base_s / help_s, 1),
                "target": f"--help < {TARGET_S} s and >= 5x the baseline",
                "met": met,
            }
        )
    )


if __name__ == "__main__":
    main()
