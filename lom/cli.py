"""The `lom` command: load, check and bootstrap (as `python -m pipelines`), and serve the dashboard.

lom load [--db PATH] FILE...
lom check FILE...
lom bootstrap [--db PATH]
lom serve [--db PATH] [--port N]
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
    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve(args)
    return loader_cli.run(args)


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
