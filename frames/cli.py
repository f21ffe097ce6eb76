"""The ``dj`` command: a Python console with frames imported as ``dj`` (DataJoint's CLI).

::

    dj --host localhost:3306 --user root --password secret
    dj -s my_lab:lab -s my_analysis:analysis     # schemas as virtual modules ``lab``, ...
    python -m frames.cli ...                      # the same without the console script
"""

from __future__ import annotations

import argparse
import sys
from code import interact
from types import ModuleType

__all__ = ["cli"]


def _package() -> ModuleType:
    """The frames package, ``dj`` in the console. It is loaded whenever this module is (the
    package's ``__init__`` imports :func:`cli`), so it is looked up rather than imported."""
    return sys.modules["frames"]


def _parser() -> argparse.ArgumentParser:
    dj = _package()
    parser = argparse.ArgumentParser(
        prog="dj",
        description="DataJoint interactive console. Start a Python REPL with DataJoint "
        "(frames) pre-loaded.",
        epilog="Example: dj -s my_lab:lab --host localhost:3306",
    )
    parser.add_argument(
        "-V", "--version", action="version", version=f"{dj.__name__} {dj.__version__}"
    )
    parser.add_argument("-u", "--user", help="Database username (default: from config)")
    parser.add_argument("-p", "--password", help="Database password (default: from config)")
    parser.add_argument("--host", help="Database host as host:port (default: from config)")
    parser.add_argument(
        "-s",
        "--schemas",
        nargs="+",
        metavar="DB:ALIAS",
        help="Load schemas as virtual modules. Format: schema_name:alias",
    )
    return parser


def cli(args: list[str] | None = None) -> None:
    """Start an interactive console with ``dj`` (frames) and the requested schemas loaded.

    Parameters
    ----------
    args : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``). ``-u``/``-p``/``--host`` set
        ``dj.config['database.user'/'database.password'/'database.host']``; each ``-s
        schema:alias`` binds ``alias`` to ``dj.VirtualModule(alias, schema)``.

    Raises
    ------
    SystemExit
        Always, when the console ends (or after ``--version`` / ``--help``).
    """
    dj = _package()
    parser = _parser()
    options = parser.parse_args(args)
    for key in ("user", "password", "host"):
        value = getattr(options, key)
        if value:
            dj.config[f"database.{key}"] = value
    modules: dict[str, ModuleType] = {}
    for item in options.schemas or ():
        if ":" not in item:
            parser.error(f"Invalid schema format {item!r}. Use schema_name:alias")
        schema_name, alias = item.split(":", 1)
        modules[alias] = dj.VirtualModule(alias, schema_name)
    banner = (
        f"DataJoint (frames {dj.__version__}) REPL\n"
        "Type 'dj.' and press Tab for available functions.\n"
    )
    if modules:
        banner += "\nLoaded schemas:\n" + "".join(
            f"  {alias} -> {module.schema.database}\n" for alias, module in modules.items()
        )
    interact(banner, local={"dj": dj, **modules})
    raise SystemExit


if __name__ == "__main__":
    cli()
