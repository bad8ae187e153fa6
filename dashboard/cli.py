"""``csc-dashboard``: run, demo-data, check-db, export, warm, import.

Each subcommand is a thin wrapper: the work lives in the module it imports, so it can be tested
without a shell.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="csc-dashboard", description="CSC Insight dashboard")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="serve the dashboard")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8050)
    run.add_argument("--debug", action="store_true", help="Dash debug mode (never on live data)")
    run.add_argument("--database", help="SQLAlchemy URL (default: CSC_DATABASE_URL, else the demo)")
    run.add_argument(
        "--source", choices=("native", "ssd"), help="what the database holds (default: CSC_SOURCE, else detected)"
    )

    demo = sub.add_parser("demo-data", help="build the synthetic demo authority as a SQLite file")
    demo.add_argument("--out", required=True)
    demo.add_argument(
        "--format",
        choices=("native", "ssd"),
        default="native",
        help="native: the data contract; ssd: the same authority as Standard Safeguarding Dataset tables",
    )
    demo.add_argument("--children", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=1)

    check = sub.add_parser(
        "check-db",
        help="compare a database with the data contract (or its SSD): coverage, missing tables and columns, bad rows",
    )
    check.add_argument("url", nargs="?", help="SQLAlchemy URL (default: CSC_DATABASE_URL, else the demo)")
    check.add_argument(
        "--source", choices=("native", "ssd"), help="what the database holds (default: CSC_SOURCE, else detected)"
    )

    export = sub.add_parser("export", help="write the board pack")
    export.add_argument("--as-at", type=date.fromisoformat)
    export.add_argument("--teams", nargs="*", default=[])
    export.add_argument("--services", nargs="*", default=[])
    export.add_argument("--out", required=True)
    export.add_argument("--database")

    warm = sub.add_parser(
        "warm",
        help="fill the shared cache (CSC_CACHE_URL) for the default view and the week before, every page",
    )
    warm.add_argument("--database", help="SQLAlchemy URL (default: CSC_DATABASE_URL, else the demo)")

    imp = sub.add_parser(
        "import",
        help="build an embedded DuckDB file from the statutory returns (Annex A, CIN "
        "census, SSDA903, workforce census)",
    )
    imp.add_argument(
        "--annex-a",
        action="append",
        default=[],
        metavar="FILE.xlsx|DIR",
        help="Annex A workbook, or a folder of one CSV per list (repeatable)",
    )
    imp.add_argument(
        "--cin-census",
        action="append",
        default=[],
        nargs="+",
        metavar="FILE.xml",
        help="CIN census XML, any year from 2017 (repeatable; years merged)",
    )
    imp.add_argument(
        "--ssda903",
        action="append",
        default=[],
        metavar="DIR",
        help="folder of one SSDA903 return's CSV tables (repeatable; years merged)",
    )
    imp.add_argument(
        "--workforce",
        action="append",
        default=[],
        nargs="+",
        metavar="FILE.xml",
        help="children's social work workforce census XML (repeatable)",
    )
    imp.add_argument(
        "--extract-date",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the Annex A extract date (default: the latest date in its lists)",
    )
    imp.add_argument("--out", required=True, metavar="FILE.duckdb")
    return p


def _import(args) -> int:
    from data_layer.imports import ImportFailed, import_returns

    flat = lambda groups: [p for g in groups for p in (g if isinstance(g, list) else [g])]  # noqa: E731
    try:
        result = import_returns(
            args.out,
            annex_a=args.annex_a,
            cin_census=flat(args.cin_census),
            ssda903=args.ssda903,
            workforce=flat(args.workforce),
            extract_date=args.extract_date,
        )
    except ImportFailed as exc:
        print(f"import failed, nothing written: {exc}", file=sys.stderr)
        return 1
    print(result.report())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; a malformed standards file is one clear message and exit code 1, not a traceback."""
    from data_layer.standards import StandardsError

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except StandardsError as exc:
        print(f"CSC Insight cannot use its standards file (CSC_STANDARDS_FILE).\n{exc}", file=sys.stderr)
        return 1


def _command(args: argparse.Namespace) -> int:
    if getattr(args, "source", None):
        import os

        os.environ["CSC_SOURCE"] = args.source  # read by data_layer.connect, in this process only
    if args.command == "run":
        from .server import serve

        return serve(host=args.host, port=args.port, debug=args.debug, url=args.database)
    if args.command == "demo-data":
        if args.format == "ssd":
            from data_layer.demo.ssd import generate_ssd

            out = generate_ssd(args.out, children=args.children, seed=args.seed)
            print(
                f"Wrote the demo SSD to {out}. Serve it with:\n"
                f"  CSC_SOURCE=ssd CSC_STANDARDS_FILE={out}.standards.toml "
                f"csc-dashboard run --database sqlite:///{out}"
            )
            return 0
        from data_layer.demo import generate

        generate(args.out, children=args.children, seed=args.seed)
        return 0
    if args.command == "check-db":
        from data_layer.checks import main as check_main

        return check_main(args.url)
    if args.command == "import":
        return _import(args)
    if args.command == "warm":
        from .warm import warm_command

        return warm_command(url=args.database)
    if args.command == "export":
        from .pack.export import export_pack

        return export_pack(
            out=args.out, as_at=args.as_at, teams=tuple(args.teams), services=tuple(args.services), url=args.database
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
