"""Object stores (DataJoint's ``config['stores']``): where ``<blob@>``, ``<attach@>``,
``<hash@>``, ``<object@>``, ``<npy@>`` and ``<filepath@>`` values live.

* :mod:`frames.objectstore.backend`: :class:`~frames.objectstore.backend.StorageBackend` (file
  access through fsspec: ``file``, ``s3``, ``gcs``, ``azure``) and the paths of schema-addressed
  objects (DataJoint's ``datajoint.storage``);
* :mod:`frames.objectstore.adapter`: storage protocols added by other packages;
* :mod:`frames.objectstore.hashed`: content-addressed, deduplicated storage
  (``datajoint.hash_registry``);
* :mod:`frames.objectstore.objectref`: :class:`ObjectRef`, the lazy handle of a fetched object;
* :mod:`frames.objectstore.staged`: ``Table.staged_insert1``, writing objects in place;
* :mod:`frames.objectstore.gc`: :class:`GarbageCollector`, removing objects no row refers to.
"""
