"""Codecs: attribute types ``<name>`` that encode Python values for storage (DataJoint 2.x).

:class:`Codec` is the base class of codecs (a subclass registers itself by its ``name``);
:func:`get_codec` and :func:`list_codecs` read the registry; :func:`resolve_dtype` follows a
chain of codecs to the type finally stored. The built-in codecs are in
:mod:`frames.codecs.builtin`; how codec attributes are declared, encoded and decoded is in
:mod:`frames.codecs.attributes`.
"""

from frames.codecs.builtin import AttachCodec, BlobCodec
from frames.codecs.filepath_codec import FilepathCodec
from frames.codecs.hash_codec import HashCodec
from frames.codecs.npy_codec import NpyCodec
from frames.codecs.npy_ref import NpyRef
from frames.codecs.object_codec import ObjectCodec
from frames.codecs.registry import (  # _codec_registry: DataJoint's tests edit it
    Codec,
    _codec_registry,  # noqa: F401
    get_codec,
    is_codec_registered,
    list_codecs,
    lookup_codec,
    parse_type_spec,
    resolve_dtype,
    unregister_codec,
)
from frames.codecs.schema_codec import SchemaCodec

__all__ = [
    "AttachCodec",
    "BlobCodec",
    "Codec",
    "FilepathCodec",
    "HashCodec",
    "NpyCodec",
    "NpyRef",
    "ObjectCodec",
    "SchemaCodec",
    "get_codec",
    "is_codec_registered",
    "list_codecs",
    "lookup_codec",
    "parse_type_spec",
    "resolve_dtype",
    "unregister_codec",
]
