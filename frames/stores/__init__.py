"""Object stores: where ``<blob@store>``, ``<attach@store>`` and ``<hash@store>`` keep values.

A store is configured in ``config.stores`` (DataJoint's settings: ``{'default': 'main', 'main':
{'protocol': 'file', 'location': '/data/store'}}``); :mod:`frames.stores.backend` reaches it
through fsspec, :mod:`frames.stores.hashing` keeps content there once per content hash
(DataJoint's ``hash_registry``: the table holds JSON metadata ``{hash, path, schema, store,
size}``).
"""
