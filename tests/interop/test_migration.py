"""A script written for DataJoint 2.x runs unchanged after ``frames.install_as_datajoint()``.

The script below says ``import datajoint as dj`` and configures its connection the way DataJoint
users do (``dj.config['database.host']`` and friends); only the first two lines of the program
differ. It runs in a fresh interpreter (installing is process-wide, and the other interop tests
import the real DataJoint) against each server, and prints what it found.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from urllib.parse import urlsplit

import pytest

SCRIPT = textwrap.dedent('''
    import json, sys
    import frames
    frames.install_as_datajoint()

    # ---- from here on, DataJoint code, unchanged ----
    import datajoint as dj
    from datajoint.errors import DataJointError, DuplicateError

    host, port, user, password, backend, schema_name = sys.argv[1:7]
    dj.config['database.host'] = host
    dj.config['database.port'] = int(port)
    dj.config['database.user'] = user
    dj.config['database.password'] = password
    dj.config['database.backend'] = backend
    dj.config['safemode'] = False

    schema = dj.Schema(schema_name)

    @schema
    class Mouse(dj.Manual):
        definition = """
        mouse_id : int32
        ---
        sex : enum('M', 'F')
        weight = null : float64
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Mouse
        session : int16
        ---
        trace : <blob>
        """

    @schema
    class Stats(dj.Computed):
        definition = """
        -> Session
        ---
        peak : float64
        """

        def make(self, key):
            trace = (Session & key).fetch1('trace')
            self.insert1(dict(key, peak=float(trace.max())))

    import numpy as np
    Mouse.insert([dict(mouse_id=1, sex='M', weight=20.5), dict(mouse_id=2, sex='F')])
    Session.insert([dict(mouse_id=m, session=s, trace=np.arange(5.0) * (m + s))
                    for m in (1, 2) for s in (1, 2)])
    try:
        Mouse.insert1(dict(mouse_id=1, sex='F'))
        duplicate = 'not raised'
    except DuplicateError:
        duplicate = 'DuplicateError'
    Stats.populate(reserve_jobs=True)
    peaks = sorted((Stats * Mouse & "sex = 'M'").to_arrays('peak').tolist())
    per_mouse = Mouse.aggr(Session, n='count(*)').to_dicts(order_by='mouse_id')
    deleted = (Mouse & {'mouse_id': 2}).delete()
    report = dict(connection=type(dj.conn()).__module__, duplicate=duplicate, peaks=peaks,
                  per_mouse=[(row['mouse_id'], row['n']) for row in per_mouse],
                  left=len(Stats), deleted=deleted,
                  is_dj_error=issubclass(DuplicateError, DataJointError))
    schema.drop()
    print(json.dumps(report))
''')


DATAJOINT_BACKEND = {"postgres": "postgresql", "mysql": "mysql"}
DEFAULT_PORT = {"postgres": 5432, "mysql": 3306}


@pytest.mark.backends("postgres", "mysql")
def test_datajoint_script_runs_unchanged(
    backend_name: str, backend_url: str, schema_name: str, tmp_path
) -> None:
    url = urlsplit(backend_url)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            url.hostname or "127.0.0.1",
            str(url.port or DEFAULT_PORT[backend_name]),
            url.username or "",
            url.password or "",
            DATAJOINT_BACKEND[backend_name],
            schema_name,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DJ_IGNORE_CONFIG_FILE": "1"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["connection"] == "frames.api.connection"
    assert report["duplicate"] == "DuplicateError"
    assert report["is_dj_error"] is True
    # mouse 1's traces are arange(5) * 2 and * 3: peaks 8 and 12
    assert report["peaks"] == [8.0, 12.0]
    assert report["per_mouse"] == [[1, 2], [2, 2]]
    assert report["deleted"] == 1
    assert report["left"] == 2
