"""Regenerate ``fixtures/torch/expected/<fixture>.json`` from the real-PyTorch oracle.

Usage (needs torch, e.g. the project venv)::

    .venv/bin/python tests/make_expected_torch.py              # every fixture
    .venv/bin/python tests/make_expected_torch.py lenet5_mnist # some of them
    .venv/bin/python tests/make_expected_torch.py --check      # compare only

All fixtures run in ONE child process (see tests/oracle_torch.py).  Snapshots of fixtures
that no longer exist are removed (unless names were given).  Exits non-zero when a fixture
fails to run, or with --check when a snapshot is missing, stale or differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle_torch  # noqa: E402


def _select(names):
    all_paths = oracle_torch.fixture_paths()
    if not names:
        return all_paths
    by_stem = {p.stem: p for p in all_paths}
    chosen = []
    for name in names:
        stem = Path(name).stem
        if stem not in by_stem:
            raise SystemExit(f"no fixture named {name!r} in {oracle_torch.FIXTURE_DIR}")
        chosen.append(by_stem[stem])
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="*", help="fixture names (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; fail if a snapshot differs from real PyTorch")
    parser.add_argument("--python", default=None,
                        help="interpreter with torch installed (default: this one)")
    args = parser.parse_args(argv)

    paths = _select(args.fixtures)
    started = time.monotonic()
    results = oracle_torch.run_oracle(paths, python=args.python)
    elapsed = time.monotonic() - started

    failures = 0
    oracle_torch.EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
    for path in paths:
        result = results.get(path.name)
        target = oracle_torch.expected_path(path)
        rel = target.relative_to(oracle_torch.REPO_ROOT)
        if result is None or "error" in result:
            failures += 1
            detail = (result or {}).get("error", "no result")
            print(f"FAIL  {path.name}: does not run with real PyTorch\n{detail}", file=sys.stderr)
            continue
        text = oracle_torch.dump_summary(result)
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if args.check:
            if old is None:
                failures += 1
                print(f"MISSING {rel}")
            elif json.loads(old) != json.loads(text):
                failures += 1
                print(f"DIFFERS {rel}")
        elif old != text:
            target.write_text(text, encoding="utf-8")
            print(f"{'wrote' if old is None else 'updated'} {rel}")

    if not args.fixtures:
        live = {p.stem for p in oracle_torch.fixture_paths()}
        for snap in sorted(oracle_torch.EXPECTED_DIR.glob("*.json")):
            if snap.stem not in live:
                if args.check:
                    failures += 1
                    print(f"STALE {snap.relative_to(oracle_torch.REPO_ROOT)}")
                else:
                    snap.unlink()
                    print(f"removed {snap.relative_to(oracle_torch.REPO_ROOT)}")

    print(f"{len(paths)} fixture(s) run with real PyTorch in {elapsed:.1f}s; "
          f"{failures} problem(s)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
