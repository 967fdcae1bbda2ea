"""Regenerate ``fixtures/keras/expected/<fixture>.json`` from the real-Keras oracle.

Usage (needs Keras 3 + torch, e.g. the project venv)::

    KERAS_BACKEND=torch .venv/bin/python tests/make_expected.py            # every fixture
    KERAS_BACKEND=torch .venv/bin/python tests/make_expected.py vgg_like_64  # some of them
    KERAS_BACKEND=torch .venv/bin/python tests/make_expected.py --check    # compare only

All fixtures are built in ONE child process (see tests/oracle_keras.py).  Snapshots of
fixtures that no longer exist are removed (unless names were given).  Exits non-zero when
a fixture fails to build, or with --check when a snapshot is missing, stale or differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle_keras  # noqa: E402


def _select(names):
    all_paths = oracle_keras.fixture_paths()
    if not names:
        return all_paths
    by_stem = {p.stem: p for p in all_paths}
    chosen = []
    for name in names:
        stem = Path(name).stem
        if stem not in by_stem:
            raise SystemExit(f"no fixture named {name!r} in {oracle_keras.FIXTURE_DIR}")
        chosen.append(by_stem[stem])
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="*", help="fixture names (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; fail if a snapshot differs from real Keras")
    parser.add_argument("--python", default=None,
                        help="interpreter with Keras installed (default: this one)")
    args = parser.parse_args(argv)

    paths = _select(args.fixtures)
    started = time.monotonic()
    results = oracle_keras.run_oracle(paths, python=args.python)
    elapsed = time.monotonic() - started

    failures = 0
    oracle_keras.EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
    for path in paths:
        result = results.get(path.name)
        target = oracle_keras.expected_path(path)
        if result is None or "error" in result:
            failures += 1
            detail = (result or {}).get("error", "no result")
            print(f"FAIL  {path.name}: does not build with real Keras\n{detail}", file=sys.stderr)
            continue
        text = oracle_keras.dump_summary(result)
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if args.check:
            if old is None:
                failures += 1
                print(f"MISSING {target.relative_to(oracle_keras.REPO_ROOT)}")
            elif json.loads(old) != json.loads(text):
                failures += 1
                print(f"DIFFERS {target.relative_to(oracle_keras.REPO_ROOT)}")
            continue
        if old != text:
            target.write_text(text, encoding="utf-8")
            print(f"{'wrote' if old is None else 'updated'} "
                  f"{target.relative_to(oracle_keras.REPO_ROOT)}")

    if not args.fixtures:
        live = {p.stem for p in oracle_keras.fixture_paths()}
        for snap in sorted(oracle_keras.EXPECTED_DIR.glob("*.json")):
            if snap.stem not in live:
                if args.check:
                    failures += 1
                    print(f"STALE {snap.relative_to(oracle_keras.REPO_ROOT)}")
                else:
                    snap.unlink()
                    print(f"removed {snap.relative_to(oracle_keras.REPO_ROOT)}")

    print(f"{len(paths)} fixture(s) built with real Keras in {elapsed:.1f}s; "
          f"{failures} problem(s)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
