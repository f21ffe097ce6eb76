"""``frames.install_as_datajoint()``: frames under DataJoint's package name.

After the call, ``import datajoint as dj`` gives frames itself, and DataJoint's public submodules
(``datajoint.errors``, ``datajoint.settings``, ``datajoint.table``, ...) are the frames modules
that play the same role, so a code base written for DataJoint 2.x moves over with one line at its
entry point (as PyMySQL's ``install_as_MySQLdb()`` does for MySQLdb code)::

    import frames
    frames.install_as_datajoint()

    import datajoint as dj          # frames, from here on, in every module of the process

A DataJoint submodule whose role one frames module plays is that module object itself, so
patching ``datajoint.errors.X`` patches ``frames.errors.X``. One that gathers the names of
several frames modules (``datajoint.expression``: queries, ``U`` and conditions) is a read-only
view of them. A DataJoint submodule that frames does not provide raises ``ModuleNotFoundError``
naming it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence
from typing import Any

from frames.errors import FramesError

#: DataJoint submodule -> the frames modules whose names it offers (first match wins).
DATAJOINT_MODULES: dict[str, tuple[str, ...]] = {
    "errors": ("frames.errors",),
    "settings": ("frames.settings",),
    "connection": ("frames.api.connection",),
    "schemas": ("frames.api.schema", "frames.api.virtual"),
    "table": ("frames.api.table",),
    "user_tables": ("frames.api.table",),
    "expression": ("frames.api.query", "frames.api.u", "frames.api.coerce"),
    "condition": ("frames.api.coerce", "frames.api.query"),
    "heading": ("frames.api.dj_heading",),
    "diagram": ("frames.api.diagram",),
    "jobs": ("frames.api.jobs",),
    "autopopulate": ("frames.api.populate",),
    "declare": ("frames.api.datajoint_declare", "frames.declare.parser", "frames.declare.types"),
    "lineage": ("frames.api.lineage_catalog", "frames.declare.lineage"),
    "blob": ("frames.blob",),
    "codecs": ("frames.codecs", "frames.codecs.attributes"),
    "builtin_codecs": ("frames.codecs.builtin", "frames.codecs"),
    "builtin_codecs.blob": ("frames.codecs.builtin",),
    "builtin_codecs.attach": ("frames.codecs.builtin",),
    "builtin_codecs.schema": ("frames.codecs.schema_codec",),
    "builtin_codecs.hash": ("frames.codecs.hash_codec",),
    "builtin_codecs.object": ("frames.codecs.object_codec",),
    "builtin_codecs.npy": ("frames.codecs.npy_codec",),
    "builtin_codecs.filepath": ("frames.codecs.filepath_codec",),
    "storage": ("frames.objectstore.backend",),
    "storage_adapter": ("frames.objectstore.adapter",),
    "hash_registry": ("frames.objectstore.hashed",),
    "objectref": ("frames.objectstore.objectref",),
    "gc": ("frames.objectstore.gc",),
    "staged_insert": ("frames.objectstore.staged",),
    "instance": ("frames.api.instance",),
    "dependencies": ("frames.api.dependencies",),
    "utils": ("frames.utils",),
    "cli": ("frames.cli",),
    "logging": ("frames.logging",),
}


class ModuleView(types.ModuleType):
    """A module that offers the public names of several modules, looked up in order."""

    def __init__(self, name: str, modules: Sequence[types.ModuleType]):
        super().__init__(
            name,
            f"DataJoint's {name!r}, provided by "
            + ", ".join(module.__name__ for module in modules),
        )
        self._modules = tuple(modules)

    def __getattr__(self, attribute: str) -> Any:
        for module in self._modules:
            try:
                return getattr(module, attribute)
            except AttributeError:
                continue
        raise AttributeError(
            f"module {self.__name__!r} (frames: "
            f"{', '.join(module.__name__ for module in self._modules)}) has no attribute "
            f"{attribute!r}"
        )

    def __dir__(self) -> list[str]:
        names = set(super().__dir__())
        for module in self._modules:
            names.update(name for name in dir(module) if not name.startswith("_"))
        return sorted(names)


class _RefuseUnknownSubmodules(importlib.abc.MetaPathFinder):
    """Keeps ``import datajoint.X`` from loading a second copy of a frames module as ``X``."""

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.startswith("datajoint.") and fullname not in sys.modules:
            raise ModuleNotFoundError(
                f"frames provides no {fullname!r}: the DataJoint modules frames provides are "
                f"{', '.join('datajoint.' + name for name in sorted(DATAJOINT_MODULES))}",
                name=fullname,
            )
        return None


class _FramesModuleLoader(importlib.abc.Loader):
    """Loads a ``datajoint.X`` name as the existing frames module ``module_name``, and gives
    that module's code to ``python -m`` (:mod:`runpy` runs it as ``__main__``)."""

    def __init__(self, module_name: str):
        self._module_name = module_name
        self._own_spec: importlib.machinery.ModuleSpec | None = None

    def _module(self) -> types.ModuleType:
        return importlib.import_module(self._module_name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = self._module()
        self._own_spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system has set the alias's spec on the shared module: give its own back.
        module.__spec__ = self._own_spec

    def get_code(self, fullname: str) -> types.CodeType | None:
        """The code of the frames module, which ``python -m datajoint.X`` runs."""
        spec = self._module().__spec__
        get_code = getattr(spec.loader if spec is not None else None, "get_code", None)
        return get_code(self._module_name) if get_code is not None else None


class _CommandLineOfRenamePackage(importlib.abc.MetaPathFinder):
    """Finds ``datajoint.cli`` for a ``datajoint`` package that re-exports frames (its ``cli``
    is frames' :func:`~frames.cli.cli`) but has no ``cli`` module of its own, so that
    ``python -m datajoint.cli`` starts frames' console as DataJoint's starts its own.

    A new process started that way has not called :func:`install_as_datajoint`; the command
    line is the one DataJoint module run as a program. The finder is consulted last, so a
    package with a ``cli`` module of its own (DataJoint itself) is found as before.
    """

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "datajoint.cli":
            return None
        package = sys.modules.get("datajoint")
        frames_cli = sys.modules.get("frames.cli")
        if package is None or frames_cli is None:
            return None
        if getattr(package, "cli", None) is not getattr(frames_cli, "cli", None):
            return None
        return importlib.machinery.ModuleSpec(
            fullname, _FramesModuleLoader("frames.cli"), origin=frames_cli.__file__
        )


def datajoint_module(name: str) -> types.ModuleType:
    """The module that stands for ``datajoint.<name>``: a frames module or a view of several."""
    modules = [importlib.import_module(module) for module in DATAJOINT_MODULES[name]]
    if len(modules) == 1:
        return modules[0]
    return ModuleView(f"datajoint.{name}", modules)


def install_as_datajoint() -> None:
    """Make ``import datajoint`` (and its public submodules) import frames.

    Call it once, before the first ``import datajoint`` of the process. Calling it again does
    nothing. Raises :class:`~frames.errors.FramesError` if the real DataJoint package is already
    imported, because its objects would then mix with frames'.
    """
    frames = sys.modules["frames"]
    current = sys.modules.get("datajoint")
    if current is frames:
        return
    if current is not None:
        raise FramesError(
            "install_as_datajoint(): the datajoint package is already imported "
            f"({getattr(current, '__file__', current)!r}); call frames.install_as_datajoint() "
            "before the first 'import datajoint' of the process"
        )
    views = {name: datajoint_module(name) for name in DATAJOINT_MODULES}
    sys.modules["datajoint"] = frames
    for name, module in views.items():
        sys.modules[f"datajoint.{name}"] = module
        parent_name, _, attribute = name.rpartition(".")
        parent = sys.modules[f"datajoint.{parent_name}"] if parent_name else frames
        if not hasattr(parent, attribute):  # ``dj.diagram.X`` without ``import datajoint.diagram``
            setattr(parent, attribute, module)
    if not any(isinstance(finder, _RefuseUnknownSubmodules) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RefuseUnknownSubmodules())


if not any(isinstance(finder, _CommandLineOfRenamePackage) for finder in sys.meta_path):
    sys.meta_path.append(_CommandLineOfRenamePackage())
