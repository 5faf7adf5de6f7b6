"""``vib stats run SPEC.json [-o out.json]``: importable without Django."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import StatsError

USAGE = "vib stats run SPEC.json [-o OUT.json]"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise StatsError(message, "arguments")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vib stats", description="Design-based survey estimation.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an analysis spec and print the result JSON")
    run.add_argument("spec", help="analysis spec (JSON)")
    run.add_argument("-o", "--output", help="write the result JSON to this file")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 on any user error)."""
    from .engine import run_spec

    args_list = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parser().parse_args(args_list)
        spec_path = Path(args.spec)
        try:
            raw = spec_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StatsError(f"cannot read spec file: {exc.strerror}", str(spec_path)) from None
        try:
            spec = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise StatsError(
                f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", str(spec_path)
            ) from None
        result = run_spec(spec, base_dir=spec_path.parent)
        text = json.dumps(result, indent=2, allow_nan=False) + "\n"
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise StatsError(f"cannot write output: {exc.strerror}", "--output") from None
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except StatsError as exc:
        sys.stderr.write(f"vib stats: error: {exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
