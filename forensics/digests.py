"""Streaming multi-algorithm digests: SHA-256, SM3 and MD5 in one pass.

Every artifact that enters a case is identified by three digests computed over the same bytes
in a single read:

* **SHA-256**, FIPS 180-4, *Secure Hash Standard*
  (https://doi.org/10.6028/NIST.FIPS.180-4): the primary identifier of an artifact.
* **SM3**, GB/T 32905-2016 《信息安全技术 SM3密码杂凑算法》 (also GM/T 0004-2012 and
  ISO/IEC 10118-3:2018; English text in https://datatracker.ietf.org/doc/html/draft-sca-cfrg-sm3-02):
  the digest Chinese notarial, judicial-appraisal and blockchain evidence platforms expect.
* **MD5**, RFC 1321 (https://www.rfc-editor.org/rfc/rfc1321): kept only because many existing
  hash lists and court exhibits quote it; it is never relied on for integrity by itself.

This module is a small ``hashlib``-compatible layer.  :func:`sm3` and :func:`new` give
``hashlib``-style objects, using OpenSSL through :mod:`hashlib` when it provides SM3 and the
pure-Python ``pysmx`` package (PyPI ``snowland-smx``) otherwise; :data:`SM3_BACKEND` says which.
:class:`MultiHasher` feeds one stream to all three algorithms; large inputs are hashed by two
worker threads (SM3 in one, SHA-256 and MD5 in the other; ``hashlib`` releases the GIL on
buffers over 2047 bytes) so that the three digests cost about as much as SM3 alone.  Small
inputs are hashed inline, without starting threads.

Digests are values, not loose strings: :class:`Digest` keeps the algorithm with the hex text,
prints as ``sha256:<hex>`` and compares in constant time; :class:`DigestSet` holds the size and
the three digests of one stream.

Examples
--------
>>> ds = hash_bytes(b"abc")
>>> ds.size, ds.md5
(3, '900150983cd24fb0d6963f7d28e17f72')
>>> str(ds.digest("sha256"))
'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import io
import os
import queue
import re
import stat
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from forensics.errors import SourceError

__all__ = [
    "ALGORITHMS",
    "HASH_BLOCK_SIZE",
    "SM3_BACKEND",
    "Digest",
    "DigestSet",
    "MultiHasher",
    "copy_and_hash",
    "hash_bytes",
    "hash_file",
    "new",
    "sm3",
]

#: The digests computed for every artifact, in the order they are reported.
ALGORITHMS: tuple[str, ...] = ("sha256", "sm3", "md5")

#: Bytes read (and handed to the hash threads) at a time.
HASH_BLOCK_SIZE: int = 1 << 20

# Length of the lowercase hex form of each algorithm's digest.
_HEX_LENGTHS: Mapping[str, int] = {"sha256": 64, "sm3": 64, "md5": 32}
_HEX_PATTERN = re.compile(r"[0-9a-f]+")

# Policy of MultiHasher (module constants so tests can shrink them):
# a stream is hashed inline until its total size would pass _THREAD_THRESHOLD; from then on the
# blocks go to one worker thread per group in _THREAD_GROUPS through queues of _QUEUE_DEPTH
# blocks; blocks smaller than _MIN_DISPATCH are gathered before being handed over.
_THREAD_THRESHOLD = 4 << 20
_THREAD_GROUPS: tuple[tuple[str, ...], ...] = (("sm3",), ("sha256", "md5"))
_QUEUE_DEPTH = 4
_MIN_DISPATCH = 64 << 10


class _Hash(Protocol):
    """The part of the ``hashlib`` hash-object interface this module relies on."""

    name: str
    digest_size: int
    block_size: int

    def update(self, data: Any, /) -> None: ...  # pragma: no cover
    def digest(self) -> bytes: ...  # pragma: no cover
    def hexdigest(self) -> str: ...  # pragma: no cover
    def copy(self) -> _Hash: ...  # pragma: no cover


# --------------------------------------------------------------------------------------------
# SM3: OpenSSL through hashlib, or pure Python through pysmx
# --------------------------------------------------------------------------------------------


def _openssl_has_sm3() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:  # UnsupportedDigestmodError is a ValueError
        return False
    return True


#: ``"openssl"`` when ``hashlib.new("sm3")`` works in this Python, else ``"pure-python"``.
SM3_BACKEND: str = "openssl" if _openssl_has_sm3() else "pure-python"


@functools.cache
def _pysmx_sm3_type() -> type:
    try:
        from pysmx.SM3 import SM3Type
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError(
            "SM3 is not available: this Python's OpenSSL has no SM3 and the pure-Python "
            "fallback is missing; install it with `pip install snowland-smx`"
        ) from exc
    return SM3Type


class _PurePythonSM3:
    """``hashlib``-style SM3 object backed by ``pysmx.SM3.SM3Type`` (slow; fallback only).

    ``SM3Type`` itself resets its state in ``digest()`` and shares its buffer between copies,
    so this wrapper always works on a deep copy of the state where ``hashlib`` would not change
    the object.
    """

    __slots__ = ("_state",)
    name = "sm3"
    digest_size = 32
    block_size = 64

    def __init__(self, data: Any = b"") -> None:
        self._state = _pysmx_sm3_type()()
        if data:
            self.update(data)

    def update(self, data: Any, /) -> None:
        if isinstance(data, str):
            raise TypeError("Strings must be encoded before hashing")
        self._state.update(memoryview(data).tobytes())

    def digest(self) -> bytes:
        return bytes(self._copy_state().digest())

    def hexdigest(self) -> str:
        return self.digest().hex()

    def copy(self) -> _PurePythonSM3:
        other = object.__new__(type(self))
        other._state = self._copy_state()
        return other

    def _copy_state(self) -> Any:
        import copy

        return copy.deepcopy(self._state)


def _sm3_factory(backend: str | None = None) -> Callable[..., _Hash]:
    """Return an SM3 constructor for ``backend`` (``None``: :data:`SM3_BACKEND`).

    Private switch for tests: ``_sm3_factory("pure-python")`` forces the ``pysmx`` fallback.
    """
    backend = SM3_BACKEND if backend is None else backend
    if backend == "openssl":
        if not _openssl_has_sm3():
            raise ValueError("this Python's OpenSSL has no SM3; use backend='pure-python'")
        return functools.partial(hashlib.new, "sm3")
    if backend == "pure-python":
        return _PurePythonSM3
    raise ValueError(f"unknown SM3 backend {backend!r}; expected 'openssl' or 'pure-python'")


# The constructor sm3() uses; tests replace it with _sm3_factory("pure-python").
_sm3_constructor: Callable[..., _Hash] = _sm3_factory()


def sm3(data: bytes = b"") -> _Hash:
    """Return a new SM3 hash object, like ``hashlib.sha256`` (GB/T 32905-2016).

    Parameters
    ----------
    data : bytes-like, optional
        Initial data to hash.

    Returns
    -------
    hash object
        With ``update``, ``digest``, ``hexdigest`` and ``copy``; ``name == "sm3"``,
        ``digest_size == 32``, ``block_size == 64``.  OpenSSL's object when
        :data:`SM3_BACKEND` is ``"openssl"``, a pure-Python one otherwise.

    Examples
    --------
    >>> h = sm3(b"ab")
    >>> h.update(b"c")
    >>> h.hexdigest()
    '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'
    >>> (h.name, h.digest_size, h.block_size)
    ('sm3', 32, 64)
    """
    return _sm3_constructor(data)


def new(name: str, data: bytes = b"") -> _Hash:
    """Return a new hash object for ``name``, like :func:`hashlib.new`, also knowing ``"sm3"``.

    Parameters
    ----------
    name : str
        An algorithm name ``hashlib.new`` accepts, or ``"sm3"`` (any case).
    data : bytes-like, optional
        Initial data to hash.

    Returns
    -------
    hash object

    Raises
    ------
    ValueError
        The algorithm is unknown.

    Examples
    --------
    >>> new("sm3", b"abc").hexdigest()[:16]
    '66c7f0f462eeedd9'
    >>> new("md5", b"abc").hexdigest()
    '900150983cd24fb0d6963f7d28e17f72'
    """
    if isinstance(name, str) and name.lower() == "sm3":
        return sm3(data)
    return hashlib.new(name, data)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def _check_hex(algorithm: object, hex_text: object) -> None:
    if not isinstance(algorithm, str):
        raise TypeError(f"digest algorithm must be a str, got {type(algorithm).__name__}")
    if algorithm not in _HEX_LENGTHS:
        raise ValueError(
            f"unknown digest algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS)}"
        )
    if not isinstance(hex_text, str):
        raise TypeError(f"{algorithm} digest must be a str, got {type(hex_text).__name__}")
    length = _HEX_LENGTHS[algorithm]
    if len(hex_text) != length or not _HEX_PATTERN.fullmatch(hex_text):
        raise ValueError(
            f"{algorithm} digest must be {length} lowercase hex characters, got {hex_text!r}"
        )


@dataclass(frozen=True, slots=True)
class Digest:
    """One digest: the algorithm and the lowercase hex text, kept together.

    Parameters
    ----------
    algorithm : str
        One of :data:`ALGORITHMS`.
    hex : str
        The digest as lowercase hex of the algorithm's length (64 for SHA-256 and SM3, 32 for
        MD5).

    Raises
    ------
    ValueError
        Unknown algorithm, or ``hex`` of the wrong length, not hex, or not lowercase.
    TypeError
        ``algorithm`` or ``hex`` is not a str.

    Examples
    --------
    >>> d = Digest("md5", "900150983cd24fb0d6963f7d28e17f72")
    >>> str(d)
    'md5:900150983cd24fb0d6963f7d28e17f72'
    >>> Digest.parse(str(d)) == d
    True
    >>> Digest("md5", "900150983CD24FB0")
    Traceback (most recent call last):
    ...
    ValueError: md5 digest must be 32 lowercase hex characters, got '900150983CD24FB0'
    """

    algorithm: str
    hex: str

    def __post_init__(self) -> None:
        _check_hex(self.algorithm, self.hex)

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"

    @classmethod
    def parse(cls, text: str) -> Digest:
        """Read the ``"<algorithm>:<hex>"`` form written by ``str(digest)``.

        Parameters
        ----------
        text : str
            For example ``"sha256:ba78...15ad"``.

        Returns
        -------
        Digest

        Raises
        ------
        ValueError
            No ``:``, unknown algorithm, or bad hex.

        Examples
        --------
        >>> Digest.parse("md5:d41d8cd98f00b204e9800998ecf8427e").algorithm
        'md5'
        >>> Digest.parse("d41d8cd98f00b204")
        Traceback (most recent call last):
        ...
        ValueError: not a digest: 'd41d8cd98f00b204'; expected '<algorithm>:<hex>', e.g. 'md5:<hex>'
        """
        if not isinstance(text, str):
            raise TypeError(f"Digest.parse needs a str, got {type(text).__name__}")
        algorithm, sep, hex_text = text.partition(":")
        if not sep:
            raise ValueError(
                f"not a digest: {text!r}; expected '<algorithm>:<hex>', e.g. 'md5:<hex>'"
            )
        return cls(algorithm, hex_text)

    def matches(self, other: Digest | str) -> bool:
        """Whether ``other`` is the same digest, compared in constant time.

        Parameters
        ----------
        other : Digest or str
            A digest of the same algorithm, or its ``"<algorithm>:<hex>"`` form.

        Returns
        -------
        bool

        Raises
        ------
        ValueError
            ``other`` uses another algorithm: such a comparison is always a mistake.

        Examples
        --------
        >>> d = hash_bytes(b"abc").digest("md5")
        >>> d.matches("md5:900150983cd24fb0d6963f7d28e17f72")
        True
        >>> d.matches(hash_bytes(b"abd").digest("md5"))
        False
        """
        if isinstance(other, str):
            other = Digest.parse(other)
        if not isinstance(other, Digest):
            raise TypeError(f"cannot compare a Digest with {type(other).__name__}")
        if other.algorithm != self.algorithm:
            raise ValueError(
                f"cannot compare a {self.algorithm} digest with a {other.algorithm} digest"
            )
        return hmac.compare_digest(self.hex, other.hex)


@dataclass(frozen=True, slots=True)
class DigestSet:
    """The size and the SHA-256, SM3 and MD5 digests (lowercase hex) of one stream.

    Parameters
    ----------
    size : int
        Number of bytes hashed.
    sha256, sm3, md5 : str
        Lowercase hex digests.

    Raises
    ------
    ValueError
        Negative size or a malformed digest.
    TypeError
        ``size`` is not an int or a digest is not a str.

    Examples
    --------
    >>> expected = hash_bytes(b"abc")
    >>> found = hash_bytes(b"abd")
    >>> [algorithm for algorithm, _, _ in expected.mismatches(found)]
    ['sha256', 'sm3', 'md5']
    >>> DigestSet.from_dict(expected.to_dict()) == expected
    True
    """

    size: int
    sha256: str
    sm3: str
    md5: str

    def __post_init__(self) -> None:
        if type(self.size) is not int:  # bool is an int subclass and is refused too
            raise TypeError(f"size must be an int, got {type(self.size).__name__}")
        if self.size < 0:
            raise ValueError(f"size must not be negative, got {self.size}")
        for algorithm in ALGORITHMS:
            _check_hex(algorithm, getattr(self, algorithm))

    def digest(self, algorithm: str) -> Digest:
        """Return the :class:`Digest` for ``algorithm``.

        Examples
        --------
        >>> str(hash_bytes(b"").digest("md5"))
        'md5:d41d8cd98f00b204e9800998ecf8427e'
        """
        if algorithm not in _HEX_LENGTHS:
            raise ValueError(
                f"unknown digest algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS)}"
            )
        return Digest(algorithm, getattr(self, algorithm))

    def digests(self) -> tuple[Digest, ...]:
        """Return the three digests in the order of :data:`ALGORITHMS`.

        Examples
        --------
        >>> [d.algorithm for d in hash_bytes(b"").digests()]
        ['sha256', 'sm3', 'md5']
        """
        return tuple(Digest(algorithm, getattr(self, algorithm)) for algorithm in ALGORITHMS)

    def mismatches(self, other: DigestSet) -> tuple[tuple[str, str, str], ...]:
        """List every difference between ``self`` (expected) and ``other`` (found).

        Digests are compared in constant time.

        Parameters
        ----------
        other : DigestSet
            What was found.

        Returns
        -------
        tuple of (algorithm, expected, found)
            One entry per differing value: ``"size"`` first (sizes as decimal text), then
            each differing algorithm in the order of :data:`ALGORITHMS`; empty when all agree.

        Examples
        --------
        >>> expected = hash_bytes(b"abc")
        >>> expected.mismatches(hash_bytes(b"abc"))
        ()
        >>> expected.mismatches(hash_bytes(b"abcd"))[0]
        ('size', '3', '4')
        """
        if not isinstance(other, DigestSet):
            raise TypeError(f"cannot compare a DigestSet with {type(other).__name__}")
        problems: list[tuple[str, str, str]] = []
        if self.size != other.size:
            problems.append(("size", str(self.size), str(other.size)))
        for algorithm in ALGORITHMS:
            expected, found = getattr(self, algorithm), getattr(other, algorithm)
            if not hmac.compare_digest(expected, found):
                problems.append((algorithm, expected, found))
        return tuple(problems)

    def matches(self, other: DigestSet) -> bool:
        """Whether size and all three digests agree (``not self.mismatches(other)``).

        Examples
        --------
        >>> hash_bytes(b"abc").matches(hash_bytes(b"abc"))
        True
        """
        return not self.mismatches(other)

    def to_dict(self) -> dict[str, int | str]:
        """Return ``{"size", "sha256", "sm3", "md5"}``, ready for JSON or TOML.

        Examples
        --------
        >>> list(hash_bytes(b"").to_dict())
        ['size', 'sha256', 'sm3', 'md5']
        """
        return {"size": self.size, "sha256": self.sha256, "sm3": self.sm3, "md5": self.md5}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DigestSet:
        """Build a :class:`DigestSet` from a mapping such as :meth:`to_dict` returns.

        Keys other than ``size``, ``sha256``, ``sm3`` and ``md5`` are ignored, so a manifest
        row with provenance columns can be read directly.

        Raises
        ------
        ValueError
            A key is missing or a value is malformed.

        Examples
        --------
        >>> DigestSet.from_dict({"size": 0})
        Traceback (most recent call last):
        ...
        ValueError: digest set is missing sha256, sm3, md5
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"DigestSet.from_dict needs a mapping, got {type(data).__name__}")
        missing = [key for key in ("size", *ALGORITHMS) if key not in data]
        if missing:
            raise ValueError(f"digest set is missing {', '.join(missing)}")
        return cls(data["size"], data["sha256"], data["sm3"], data["md5"])


# --------------------------------------------------------------------------------------------
# One pass, three digests
# --------------------------------------------------------------------------------------------

_STOP = object()  # end-of-stream marker put on a worker's queue


def _hash_worker(
    inbox: queue.Queue[Any],
    hashers: list[_Hash],
    abort: threading.Event,
    errors: list[BaseException],
) -> None:
    """Feed every block from ``inbox`` to ``hashers`` until :data:`_STOP`.

    After an error or an abort the worker keeps draining its queue without hashing, so the
    producer can never block on a full queue.  It holds no reference to its MultiHasher.
    """
    while True:
        block = inbox.get()
        if block is _STOP:
            return
        if errors or abort.is_set():
            continue
        try:
            for hasher in hashers:
                hasher.update(block)
        except BaseException as exc:  # handed to the producer, which re-raises it
            errors.append(exc)


def _stop_workers(
    inboxes: tuple[queue.Queue[Any], ...],
    threads: tuple[threading.Thread, ...],
    abort: threading.Event,
    discard: bool,
) -> None:
    """Tell the workers to stop (skipping what is queued if ``discard``) and join them."""
    if discard:
        abort.set()
    current = threading.current_thread()
    for inbox, thread in zip(inboxes, threads, strict=True):
        if thread.is_alive():
            inbox.put(_STOP)
    for thread in threads:
        if thread is not current and thread.ident is not None:
            thread.join()


class MultiHasher:
    """SHA-256, SM3 and MD5 of one stream, computed in a single pass.

    Feed blocks with :meth:`update`, then call :meth:`finish`.  The first few MiB are hashed
    inline in the calling thread, so hashing many small files never starts a thread.  Once a
    stream grows past that, the blocks go to two worker threads (SM3 in one, SHA-256 and MD5 in
    the other) through bounded queues: memory stays a few blocks, and the three digests take
    about the time of SM3 alone.  Blocks that are ``bytes`` are shared with the workers
    without copying; other buffers are copied, so the caller may reuse them.

    Use it as a context manager, or call :meth:`close`: leaving the ``with`` block (also by an
    exception) stops and joins the worker threads.  A hasher that is garbage-collected
    unfinished stops its threads too.  A MultiHasher is not itself thread-safe.

    Examples
    --------
    >>> with MultiHasher() as hasher:
    ...     hasher.update(b"a")
    ...     hasher.update(b"bc")
    ...     digests = hasher.finish()
    >>> digests == hash_bytes(b"abc")
    True
    >>> hasher.update(b"more")
    Traceback (most recent call last):
    ...
    ValueError: MultiHasher already finished; start a new one
    """

    __slots__ = (
        "__weakref__",
        "_abort",
        "_closed",
        "_errors",
        "_finalizer",
        "_hashers",
        "_inboxes",
        "_pending",
        "_result",
        "_size",
        "_threads",
    )

    def __init__(self) -> None:
        self._hashers: dict[str, _Hash] = {name: new(name) for name in ALGORITHMS}
        self._size = 0
        self._pending = bytearray()
        self._inboxes: tuple[queue.Queue[Any], ...] = ()
        self._threads: tuple[threading.Thread, ...] = ()
        self._abort = threading.Event()
        self._errors: list[BaseException] = []
        self._finalizer: weakref.finalize | None = None
        self._result: DigestSet | None = None
        self._closed = False

    def __repr__(self) -> str:
        if self._result is not None:
            state = "finished"
        elif self._closed:
            state = "closed"
        else:
            state = "threaded" if self._threads else "inline"
        return f"<MultiHasher {state} size={self._size}>"

    def __enter__(self) -> MultiHasher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def size(self) -> int:
        """Number of bytes given to :meth:`update` so far."""
        return self._size

    def update(self, block: Any) -> None:
        """Add ``block`` (any bytes-like object) to the stream.

        Raises
        ------
        TypeError
            ``block`` is a str or not bytes-like.
        ValueError
            The hasher is finished or closed.
        """
        self._check_open()
        if isinstance(block, str):
            raise TypeError("Strings must be encoded before hashing")
        view = memoryview(block)
        if view.ndim != 1 or view.itemsize != 1:
            view = view.cast("B")
        n = view.nbytes
        if not n:
            return
        if not self._threads:
            if self._size + n <= _THREAD_THRESHOLD:
                for hasher in self._hashers.values():
                    hasher.update(view)
                self._size += n
                return
            self._start_workers()
        self._size += n
        if n < _MIN_DISPATCH:
            self._pending += view
            if len(self._pending) >= _MIN_DISPATCH:
                self._flush_pending()
            return
        self._flush_pending()
        if view.readonly and type(view.obj) is bytes:
            self._send(block if type(block) is bytes else view)  # immutable: shared, no copy
        else:
            for start in range(0, n, HASH_BLOCK_SIZE):
                self._send(view[start : start + HASH_BLOCK_SIZE].tobytes())

    def finish(self) -> DigestSet:
        """Wait for the workers and return the :class:`DigestSet`; later calls return it again.

        Raises
        ------
        ValueError
            The hasher was closed before it finished.
        """
        if self._result is not None:
            return self._result
        self._check_open()
        if self._threads:
            self._flush_pending()
            _stop_workers(self._inboxes, self._threads, self._abort, discard=False)
            if self._finalizer is not None:
                self._finalizer.detach()
            self._raise_worker_error()
        h = self._hashers
        self._result = DigestSet(
            self._size, h["sha256"].hexdigest(), h["sm3"].hexdigest(), h["md5"].hexdigest()
        )
        return self._result

    def close(self) -> None:
        """Stop and join the worker threads, discarding unfinished work; idempotent."""
        if self._finalizer is not None:
            self._finalizer()  # runs _stop_workers at most once
        if self._result is None:
            self._closed = True

    # -- internals -----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._result is not None:
            raise ValueError("MultiHasher already finished; start a new one")
        if self._closed:
            raise ValueError("MultiHasher was closed before it finished")

    def _start_workers(self) -> None:
        inboxes: list[queue.Queue[Any]] = []
        threads: list[threading.Thread] = []
        for group in _THREAD_GROUPS:
            inbox: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_DEPTH)
            thread = threading.Thread(
                target=_hash_worker,
                args=(inbox, [self._hashers[a] for a in group], self._abort, self._errors),
                name=f"forensics-digest-{'+'.join(group)}",
                daemon=True,
            )
            inboxes.append(inbox)
            threads.append(thread)
        self._inboxes, self._threads = tuple(inboxes), tuple(threads)
        # Holds no reference to self, so an abandoned hasher is collected and its threads end.
        self._finalizer = weakref.finalize(
            self, _stop_workers, self._inboxes, self._threads, self._abort, True
        )
        try:
            for thread in threads:
                thread.start()
        except BaseException:
            self.close()
            raise

    def _flush_pending(self) -> None:
        if self._pending:
            block = bytes(self._pending)
            self._pending.clear()
            self._send(block)

    def _send(self, block: bytes | memoryview) -> None:
        try:
            for inbox in self._inboxes:
                inbox.put(block)
        except BaseException:
            self.close()
            raise
        self._raise_worker_error()

    def _raise_worker_error(self) -> None:
        if self._errors:
            self.close()
            raise self._errors[0]


def hash_bytes(data: Any) -> DigestSet:
    """Return the :class:`DigestSet` of ``data``.

    Parameters
    ----------
    data : bytes-like

    Returns
    -------
    DigestSet

    Examples
    --------
    >>> ds = hash_bytes(b"abc")
    >>> ds.sm3
    '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'
    >>> ds.sha256
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    >>> ds.md5
    '900150983cd24fb0d6963f7d28e17f72'
    """
    with MultiHasher() as hasher:
        hasher.update(data)
        return hasher.finish()


def _check_block_size(block_size: object) -> None:
    if type(block_size) is not int:
        raise TypeError(f"block_size must be an int, got {type(block_size).__name__}")
    if block_size <= 0:
        raise ValueError(f"block_size must be positive, got {block_size}")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


def _open_read_only(path: str | bytes) -> BinaryIO:
    """Open ``path`` for reading only, without touching its access time where allowed."""
    shown = os.fsdecode(path)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    noatime = getattr(os, "O_NOATIME", 0)  # Linux; refused (EPERM) unless we own the file
    try:
        try:
            fd = os.open(path, flags | noatime)
        except PermissionError:
            if not noatime:
                raise
            fd = os.open(path, flags)
    except OSError as exc:
        raise SourceError(shown, _os_reason(exc)) from exc
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise SourceError(shown, "is a directory, not a file")
        if hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):  # advice only
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
        return open(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def _read_blocks(source: Any, block_size: int, path: str | None) -> Iterator[bytes]:
    """Yield ``source.read(block_size)`` until end of file, checking it is a binary file."""
    if isinstance(source, io.TextIOBase):
        raise TypeError("need a file opened in binary mode ('rb'), got a text file")
    read = source.read
    done = 0
    while True:
        try:
            block = read(block_size)
        except OSError as exc:
            if path is None:
                raise
            raise SourceError(path, f"read failed after {done} bytes: {_os_reason(exc)}") from exc
        if block is None:
            raise ValueError("read() returned None: non-blocking files are not supported")
        if isinstance(block, str):
            raise TypeError("need a file opened in binary mode ('rb'), got text from read()")
        if not block:
            return
        done += len(block)
        yield block


def hash_file(
    source: str | os.PathLike[str] | BinaryIO, *, block_size: int = HASH_BLOCK_SIZE
) -> DigestSet:
    """Return the :class:`DigestSet` of a file, read once in blocks of ``block_size``.

    Parameters
    ----------
    source : path or binary file object
        A path is opened read-only (and on Linux with ``O_NOATIME`` when the file's owner
        allows it) and closed afterwards; it is never written.  An open binary file is read
        from its current position to the end and left open.
    block_size : int, optional
        Bytes per read, :data:`HASH_BLOCK_SIZE` by default.

    Returns
    -------
    DigestSet

    Raises
    ------
    forensics.errors.SourceError
        The path is missing, a directory, unreadable, or a read failed.
    TypeError
        ``source`` is a text file.

    Examples
    --------
    >>> import io
    >>> hash_file(io.BytesIO(b"abc")).sha256
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp, "evidence.txt")
    ...     _ = path.write_bytes(b"abc")
    ...     hash_file(path).md5
    '900150983cd24fb0d6963f7d28e17f72'
    """
    _check_block_size(block_size)
    if hasattr(source, "read"):
        return _hash_stream(source, block_size, None)
    path = os.fspath(source)
    with _open_read_only(path) as stream:
        return _hash_stream(stream, block_size, os.fsdecode(path))


def _hash_stream(source: Any, block_size: int, path: str | None) -> DigestSet:
    with MultiHasher() as hasher:
        for block in _read_blocks(source, block_size, path):
            hasher.update(block)
        return hasher.finish()


def _write_all(dst: Any, block: bytes) -> None:
    """Write all of ``block``, following short writes of raw files."""
    view = memoryview(block)
    while view:
        written = dst.write(view)
        if written is None:  # file-likes that return nothing write everything
            return
        view = view[written:]


def copy_and_hash(src: BinaryIO, dst: BinaryIO, *, block_size: int = HASH_BLOCK_SIZE) -> DigestSet:
    """Copy ``src`` to ``dst`` block by block and return the digests of what was read.

    ``src`` is read once, from its current position to the end; each block is hashed and
    written to ``dst``.  Neither file is closed, flushed or synced: that is the caller's job
    (ingest fsyncs the copy before it records it).

    Parameters
    ----------
    src : binary file object
        Opened for reading.
    dst : binary file object
        Opened for writing.
    block_size : int, optional
        Bytes per read, :data:`HASH_BLOCK_SIZE` by default.

    Returns
    -------
    DigestSet
        Of the bytes read from ``src`` (and written to ``dst``).

    Examples
    --------
    >>> import io
    >>> src, dst = io.BytesIO(b"evidence"), io.BytesIO()
    >>> copy_and_hash(src, dst) == hash_bytes(b"evidence")
    True
    >>> dst.getvalue()
    b'evidence'
    """
    _check_block_size(block_size)
    with MultiHasher() as hasher:
        for block in _read_blocks(src, block_size, None):
            hasher.update(block)
            _write_all(dst, block)
        return hasher.finish()
