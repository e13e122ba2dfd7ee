"""The `lom` command: load, check and bootstrap (as `python -m pipelines`), and serve the dashboard.

lom load [--db PATH] FILE...
lom check [--as ORG_NR] FILE...
lom template --out FILE
lom bootstrap [--db PATH]
lom serve [--db PATH] [--port N]
lom report agency ORG_NR --year YEAR --out FILE [--group sector|size|similar] [--db PATH]
lom report agency --all --year YEAR --out DIR [--group ...] [--db PATH]
lom report national --year YEAR --out FILE [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib

from lom import resources
from pipelines import __main__ as loader_cli


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (`serve` does not return: Streamlit takes over)."""
    parser = argparse.ArgumentParser(prog="lom", description="LOM-benchmark: läs in filer och visa instrumentpanelen.")
    commands = parser.add_subparsers(dest="command", required=True)
    loader_cli.add_commands(commands)
    serve = commands.add_parser("serve", help="starta instrumentpanelen (Streamlit)")
    serve.add_argument("--db", help="databasfil (standard: LOM_DB eller data/lom.duckdb)")
    serve.add_argument("--port", type=int, help="port (standard: 8501)")
    serve.add_argument("--address", help="adress att lyssna på (standard: alla)")
    add_report_commands(commands)
    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve(args)
    if args.command == "report":
        from lom.report import quiet_streamlit

        quiet_streamlit()
        from lom.report import command  # Typst and the charts load only for a report

        return command.run(args)
    return loader_cli.run(args)


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    """`lom report agency` and `lom report national`: the reports as PDF files."""
    report = commands.add_parser("report", help="skriv rapporter som PDF")
    kinds = report.add_subparsers(dest="kind", required=True)
    agency = kinds.add_parser("agency", help="myndighetens LOM-rapport, en sida")
    agency.add_argument("org_nr", nargs="?", help="myndighetens organisationsnummer, t.ex. 202100-1234")
    agency.add_argument("--all", action="store_true", help="en rapport per myndighet med siffror för året")
    national = kinds.add_parser("national", help="den nationella rapporten för Trygghetsstiftelsen")
    for kind in (agency, national):
        kind.add_argument("--year", type=int, required=True, help="året rapporten gäller")
        kind.add_argument("--out", required=True, help="PDF-fil att skriva (med --all: en mapp)")
        kind.add_argument("--db", help="databasfil (standard: LOM_DB eller data/lom.duckdb)")
    agency.add_argument("--group", default="sector", choices=["sector", "size", "similar"], help="jämförelsegrupp")
    agency.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="med --all: processer som arbetar samtidigt (standard: alla kärnor)",
    )


def streamlit_flags() -> list[str]:
    """Return the packaged Streamlit settings (.streamlit/config.toml) as command-line flags, so
    that they apply whatever folder the command runs from."""
    config = tomllib.loads(resources.streamlit_config().read_text(encoding="utf-8"))
    flags = []
    for section, options in config.items():
        for name, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.append(f"--{section}.{name}={text}")
    return flags


def _serve(args: argparse.Namespace) -> None:
    """Replace this process by Streamlit serving the packaged app."""
    env = dict(os.environ)
    if args.db:
        env["LOM_DB"] = os.path.abspath(args.db)
    command = [sys.executable, "-m", "streamlit", "run", str(resources.app_script()), *streamlit_flags()]
    if args.port:
        command.append(f"--server.port={args.port}")
    if args.address:
        command.append(f"--server.address={args.address}")
    sys.stdout.flush()
    os.execve(sys.executable, command, env)


if __name__ == "__main__":
    sys.exit(main())
