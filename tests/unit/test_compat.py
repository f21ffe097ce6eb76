"""``frames.install_as_datajoint()`` and DataJoint's error hierarchy.

Installing is process-wide (``sys.modules``) and the interop tests import the real DataJoint, so
every install runs in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from frames import errors


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter; its stdout and stderr are captured."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def test_datajoint_imports_give_frames_modules() -> None:
    result = run_python("""
        import frames
        frames.install_as_datajoint()
        import datajoint as dj
        import datajoint.errors
        from datajoint.expression import QueryExpression, U
        from datajoint.errors import DataJointError, DuplicateError
        from datajoint.user_tables import Manual
        assert dj is frames
        assert datajoint.errors is frames.errors
        assert DuplicateError is frames.errors.DuplicateError
        assert issubclass(DuplicateError, DataJointError)
        assert U is frames.U and Manual is frames.Manual
        assert QueryExpression is frames.QueryExpression
        assert dj.diagram.Diagram is frames.Diagram  # submodule reachable as an attribute
        frames.install_as_datajoint()  # a second call changes nothing
        import datajoint
        assert datajoint is frames
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_nested_datajoint_modules_are_importable_and_attributes() -> None:
    result = run_python("""
        import frames
        frames.install_as_datajoint()
        import datajoint as dj
        from datajoint.builtin_codecs.object import ObjectCodec
        from datajoint.builtin_codecs import NpyRef, SchemaCodec
        import datajoint.builtin_codecs.npy
        from datajoint.storage import build_object_path
        from datajoint import gc
        assert ObjectCodec is frames.codecs.object_codec.ObjectCodec
        assert dj.builtin_codecs.npy is frames.codecs.npy_codec  # nested: attribute of parent
        assert NpyRef is frames.codecs.NpyRef and SchemaCodec is frames.codecs.SchemaCodec
        assert build_object_path is frames.objectstore.backend.build_object_path
        assert gc.GarbageCollector is frames.objectstore.gc.GarbageCollector
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_unknown_datajoint_module_is_refused_by_name() -> None:
    result = run_python("""
        import frames
        frames.install_as_datajoint()
        import datajoint.no_such_module
    """)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr
    assert "datajoint.no_such_module" in result.stderr


def test_frames_modules_are_not_loaded_twice_under_datajoint_names() -> None:
    result = run_python("""
        import frames
        frames.install_as_datajoint()
        try:
            import datajoint.api.table   # a frames package path, not a DataJoint module
        except ModuleNotFoundError as error:
            print(error.name)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "datajoint.api"


def test_install_after_the_real_datajoint_is_refused() -> None:
    pytest.importorskip("datajoint")
    result = run_python("""
        import datajoint
        import frames
        try:
            frames.install_as_datajoint()
        except frames.errors.FramesError as error:
            print(type(error).__name__, "already imported" in str(error))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "FramesError True"


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (errors.QueryError, errors.DataJointError),
        (errors.QuerySyntaxError, errors.QueryError),
        (errors.AccessError, errors.QueryError),
        (errors.DuplicateError, errors.QueryError),
        (errors.IntegrityError, errors.QueryError),
        (errors.UnknownAttributeError, errors.QueryError),
        (errors.MissingAttributeError, errors.QueryError),
        (errors.LostConnectionError, errors.DataJointError),
        (errors.MissingTableError, errors.DataJointError),
        (errors.MissingExternalFile, errors.DataJointError),
        (errors.BucketInaccessible, errors.DataJointError),
        (errors.ThreadSafetyError, errors.DataJointError),
        (errors.FragmentError, errors.QuerySyntaxError),
    ],
)
def test_error_hierarchy_contains_datajoints(child: type, parent: type) -> None:
    assert issubclass(child, parent)


def test_datajoint_error_classes_match_datajoints_tree() -> None:
    """Every class of DataJoint 2.3.5's errors module exists in frames with the same parents."""
    dj_errors = pytest.importorskip("datajoint.errors")
    for name, dj_class in vars(dj_errors).items():
        if not (isinstance(dj_class, type) and issubclass(dj_class, dj_errors.DataJointError)):
            continue
        ours = getattr(errors, name)
        for dj_parent in dj_class.__mro__[1:]:
            if issubclass(dj_parent, dj_errors.DataJointError):
                assert issubclass(ours, getattr(errors, dj_parent.__name__)), (name, dj_parent)


def test_suggest_appends_arguments() -> None:
    error = errors.DuplicateError("duplicate key").suggest("use skip_duplicates=True")
    assert isinstance(error, errors.DuplicateError)
    assert error.args == ("duplicate key", "use skip_duplicates=True")
