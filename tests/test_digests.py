"""Tests for :mod:`forensics.digests`.

Provenance of the fixed vectors:

* SM3: GB/T 32905-2016 Appendix A, examples 1 ("abc") and 2 ("abcd" * 16, 512 bits).
* SHA-256: FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values", SHA256.pdf):
  "abc", the 448-bit message "abcdbcdecdefdefg...nopq", and one million "a".
* MD5: RFC 1321 appendix A.5 test suite.
* Corpus: ``../shared/corpus/MANIFEST.json`` (digests from hashlib and ``openssl dgst -sm3``).
"""

from __future__ import annotations

import gc
import hashlib
import io
import itertools
import json
import subprocess
import sys
import textwrap
import threading
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics import digests
from forensics.digests import (
    ALGORITHMS,
    HASH_BLOCK_SIZE,
    SM3_BACKEND,
    Digest,
    DigestSet,
    MultiHasher,
    copy_and_hash,
    hash_bytes,
    hash_file,
    new,
    sm3,
)
from forensics.errors import SourceError

SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]
SHA256_VECTORS = [
    (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ),
    (b"a" * 1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
]
MD5_VECTORS = [
    (b"", "d41d8cd98f00b204e9800998ecf8427e"),
    (b"a", "0cc175b9c0f1b6a831c399e269772661"),
    (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
    (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    (b"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
    (
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "d174ab98d277d9f5a5611c2c9f419d9f",
    ),
    (b"1234567890" * 8, "57edf4a22be3c955ac49da2e2107b67a"),
]
SM3_EMPTY = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
MANIFEST = CORPUS / "MANIFEST.json"


def reference(data: bytes) -> DigestSet:
    """One-shot digests from hashlib (SM3 through our sm3(), checked by the vectors above)."""
    return DigestSet(
        len(data),
        hashlib.sha256(data).hexdigest(),
        sm3(data).hexdigest(),
        hashlib.md5(data).hexdigest(),
    )


def digest_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("forensics-digest-")]


@pytest.fixture
def pure_python_sm3(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the pysmx fallback for sm3(), new("sm3") and MultiHasher."""
    monkeypatch.setattr(digests, "_sm3_constructor", digests._sm3_factory("pure-python"))


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make MultiHasher start its threads after a few bytes, with tiny queues."""
    monkeypatch.setattr(digests, "_THREAD_THRESHOLD", 16)
    monkeypatch.setattr(digests, "_MIN_DISPATCH", 32)
    monkeypatch.setattr(digests, "_QUEUE_DEPTH", 1)


@pytest.fixture(autouse=True)
def no_leaked_threads():
    yield
    gc.collect()
    for thread in digest_threads():
        thread.join(timeout=5)
    assert digest_threads() == []


# -- constants and constructors ---------------------------------------------------------------


def test_constants():
    assert ALGORITHMS == ("sha256", "sm3", "md5")
    assert HASH_BLOCK_SIZE == 1 << 20
    assert SM3_BACKEND in ("openssl", "pure-python")
    assert set(digests.__all__) >= {"Digest", "DigestSet", "MultiHasher", "hash_file"}


@pytest.mark.parametrize(("data", "expected"), SM3_VECTORS)
def test_sm3_vectors(data, expected):
    assert sm3(data).hexdigest() == expected
    assert new("sm3", data).hexdigest() == expected
    assert new("SM3", data).hexdigest() == expected
    assert hash_bytes(data).sm3 == expected


@pytest.mark.parametrize(("data", "expected"), SM3_VECTORS)
def test_sm3_vectors_pure_python(pure_python_sm3, data, expected):
    h = sm3(data)
    assert isinstance(h, digests._PurePythonSM3)
    assert h.hexdigest() == expected
    assert hash_bytes(data).sm3 == expected


def test_sm3_vector_openssl_backend():
    if SM3_BACKEND != "openssl":
        with pytest.raises(ValueError, match="no SM3"):
            digests._sm3_factory("openssl")
        pytest.skip("this Python's OpenSSL has no SM3")
    for data, expected in SM3_VECTORS:
        assert digests._sm3_factory("openssl")(data).hexdigest() == expected


def test_backend_falls_back_when_openssl_lacks_sm3():
    code = textwrap.dedent(
        """
        import hashlib
        _new = hashlib.new
        def new(name, *args, **kwargs):
            if name.lower() == "sm3":
                raise ValueError("unsupported hash type sm3")
            return _new(name, *args, **kwargs)
        hashlib.new = new
        from forensics import digests
        h = digests.sm3()
        print(digests.SM3_BACKEND, type(h).__name__, digests.hash_bytes(b"abc").sm3)
        """
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["pure-python", "_PurePythonSM3", SM3_VECTORS[0][1]]


def test_sm3_factory_unknown_backend():
    with pytest.raises(ValueError, match="unknown SM3 backend 'gmssl'"):
        digests._sm3_factory("gmssl")


@pytest.mark.parametrize("backend", ["default", "pure-python"])
def test_sm3_hashlib_interface(monkeypatch, backend):
    if backend == "pure-python":
        monkeypatch.setattr(digests, "_sm3_constructor", digests._sm3_factory(backend))
    h = sm3()
    assert (h.name, h.digest_size, h.block_size) == ("sm3", 32, 64)
    assert h.hexdigest() == SM3_EMPTY
    h.update(b"a")
    h.update(memoryview(b"bc"))
    copy = h.copy()
    assert h.digest() == bytes.fromhex(SM3_VECTORS[0][1])
    assert h.hexdigest() == SM3_VECTORS[0][1]  # digest() does not change the state
    copy.update(b"d")
    assert copy.hexdigest() == sm3(b"abcd").hexdigest()
    assert h.hexdigest() == SM3_VECTORS[0][1]  # the copy is independent
    with pytest.raises(TypeError):
        h.update("abc")


@pytest.mark.parametrize(("data", "expected"), SHA256_VECTORS)
def test_sha256_vectors(data, expected):
    assert new("sha256", data).hexdigest() == expected
    assert hash_bytes(data).sha256 == expected


@pytest.mark.parametrize(("data", "expected"), MD5_VECTORS)
def test_md5_vectors(data, expected):
    assert new("md5", data).hexdigest() == expected
    assert hash_bytes(data).md5 == expected


def test_million_a_through_threads(threaded):
    block = b"a" * 1000
    with MultiHasher() as hasher:
        for _ in range(1000):
            hasher.update(block)
        assert len(hasher._threads) == 2
        ds = hasher.finish()
    assert ds.size == 1_000_000
    assert ds.sha256 == SHA256_VECTORS[2][1]
    assert ds == reference(b"a" * 1_000_000)


def test_new_unknown_algorithm():
    with pytest.raises(ValueError):
        new("no-such-hash")


# -- Digest ----------------------------------------------------------------------------------

SHA256_ABC = SHA256_VECTORS[0][1]


def test_digest_good():
    d = Digest("sha256", SHA256_ABC)
    assert str(d) == f"sha256:{SHA256_ABC}"
    assert Digest.parse(str(d)) == d
    assert Digest.parse(f"md5:{MD5_VECTORS[0][1]}").algorithm == "md5"
    assert Digest.parse(f"sm3:{SM3_EMPTY}").hex == SM3_EMPTY
    with pytest.raises(FrozenInstanceError):
        d.hex = "0" * 64
    assert not hasattr(d, "__dict__")


@pytest.mark.parametrize(
    ("algorithm", "hex_text", "message"),
    [
        ("sha1", "a" * 40, "unknown digest algorithm 'sha1'; expected one of sha256, sm3, md5"),
        ("SHA256", SHA256_ABC, "unknown digest algorithm 'SHA256'"),
        ("sha256", SHA256_ABC.upper(), "sha256 digest must be 64 lowercase hex characters"),
        ("sha256", SHA256_ABC[:-1], "sha256 digest must be 64 lowercase hex characters"),
        ("sha256", SHA256_ABC + "0", "sha256 digest must be 64 lowercase hex characters"),
        ("md5", SHA256_ABC, "md5 digest must be 32 lowercase hex characters"),
        ("md5", "g" * 32, "md5 digest must be 32 lowercase hex characters, got 'gggg"),
        ("md5", " " + "0" * 31, "md5 digest must be 32 lowercase hex"),
        ("md5", "0" * 31 + "\n", "md5 digest must be 32 lowercase hex"),
        ("sm3", "", "sm3 digest must be 64 lowercase hex characters, got ''"),
    ],
)
def test_digest_bad(algorithm, hex_text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")) as info:
        Digest(algorithm, hex_text)
    assert str(info.value).startswith(message)


def test_digest_bad_types():
    with pytest.raises(TypeError, match="sha256 digest must be a str, got bytes"):
        Digest("sha256", SHA256_ABC.encode())
    with pytest.raises(TypeError, match="algorithm must be a str"):
        Digest(None, SHA256_ABC)
    with pytest.raises(TypeError):
        Digest.parse(b"sha256:" + SHA256_ABC.encode())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SHA256_ABC, "not a digest: '" + SHA256_ABC + "'; expected '<algorithm>:<hex>'"),
        ("", "not a digest: ''"),
        ("SHA-256:" + SHA256_ABC, "unknown digest algorithm 'SHA-256'"),
        ("sha256: " + SHA256_ABC, "sha256 digest must be 64 lowercase hex characters"),
        ("sha256:" + SHA256_ABC + ":", "sha256 digest must be 64 lowercase hex characters"),
    ],
)
def test_digest_parse_bad(text, message):
    with pytest.raises(ValueError) as info:
        Digest.parse(text)
    assert str(info.value).startswith(message)


def test_digest_matches():
    d = Digest("sha256", SHA256_ABC)
    assert d.matches(Digest("sha256", SHA256_ABC))
    assert d.matches(f"sha256:{SHA256_ABC}")
    flipped = SHA256_ABC[:-1] + ("c" if SHA256_ABC[-1] != "c" else "d")
    assert not d.matches(Digest("sha256", flipped))
    with pytest.raises(ValueError, match="cannot compare a sha256 digest with a sm3 digest"):
        d.matches(Digest("sm3", SM3_EMPTY))
    with pytest.raises(TypeError):
        d.matches(42)


# -- DigestSet -------------------------------------------------------------------------------


def test_digest_set_accessors():
    ds = hash_bytes(b"abc")
    assert ds.digest("sm3") == Digest("sm3", SM3_VECTORS[0][1])
    assert ds.digests() == (
        Digest("sha256", SHA256_ABC),
        Digest("sm3", SM3_VECTORS[0][1]),
        Digest("md5", "900150983cd24fb0d6963f7d28e17f72"),
    )
    with pytest.raises(ValueError, match="unknown digest algorithm 'sha1'"):
        ds.digest("sha1")
    assert ds.to_dict() == {
        "size": 3,
        "sha256": SHA256_ABC,
        "sm3": SM3_VECTORS[0][1],
        "md5": "900150983cd24fb0d6963f7d28e17f72",
    }
    assert DigestSet.from_dict(ds.to_dict()) == ds
    assert DigestSet.from_dict({**ds.to_dict(), "file": "x.jpg", "note": "extra"}) == ds
    assert json.loads(json.dumps(ds.to_dict())) == ds.to_dict()
    with pytest.raises(FrozenInstanceError):
        ds.size = 4


def test_digest_set_flipped_byte():
    data = bytearray(b"screenshot of the defamatory post" * 10)
    expected = hash_bytes(bytes(data))
    data[17] ^= 0x01
    found = hash_bytes(bytes(data))
    assert expected.mismatches(found) == (
        ("sha256", expected.sha256, found.sha256),
        ("sm3", expected.sm3, found.sm3),
        ("md5", expected.md5, found.md5),
    )
    assert not expected.matches(found)
    assert expected.mismatches(expected) == ()
    assert expected.matches(hash_bytes(b"screenshot of the defamatory post" * 10))


def test_digest_set_size_mismatch_only():
    ds = hash_bytes(b"abc")
    other = DigestSet(4, ds.sha256, ds.sm3, ds.md5)
    assert ds.mismatches(other) == (("size", "3", "4"),)
    with pytest.raises(TypeError):
        ds.mismatches(ds.to_dict())


def test_digest_set_bad():
    good = hash_bytes(b"").to_dict()
    with pytest.raises(ValueError, match="size must not be negative, got -1"):
        DigestSet.from_dict({**good, "size": -1})
    with pytest.raises(TypeError, match="size must be an int, got bool"):
        DigestSet.from_dict({**good, "size": True})
    with pytest.raises(TypeError, match="size must be an int, got str"):
        DigestSet.from_dict({**good, "size": "0"})
    with pytest.raises(ValueError, match="sm3 digest must be 64 lowercase hex characters"):
        DigestSet.from_dict({**good, "sm3": good["sha256"].upper()})
    with pytest.raises(ValueError, match="md5 digest must be 32"):
        DigestSet(0, good["sha256"], good["sm3"], good["sha256"])
    with pytest.raises(ValueError, match=r"^digest set is missing size, md5$"):
        DigestSet.from_dict({"sha256": good["sha256"], "sm3": good["sm3"]})
    with pytest.raises(TypeError):
        DigestSet.from_dict([("size", 0)])


# -- MultiHasher -----------------------------------------------------------------------------


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=5000), cuts=st.lists(st.integers(min_value=0), max_size=12))
def test_multihasher_inline_matches_hashlib(data, cuts):
    with MultiHasher() as hasher:
        for block in split(data, cuts):
            hasher.update(block)
        assert hasher._threads == ()
        ds = hasher.finish()
    assert ds == reference(data)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(min_size=0, max_size=20000),
    cuts=st.lists(st.integers(min_value=0), max_size=20),
    threshold=st.integers(min_value=0, max_value=4096),
    min_dispatch=st.integers(min_value=1, max_value=3000),
    depth=st.integers(min_value=1, max_value=3),
    kinds=st.lists(st.sampled_from(["bytes", "bytearray", "memoryview"]), min_size=1),
)
def test_multihasher_threaded_matches_hashlib(data, cuts, threshold, min_dispatch, depth, kinds):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(digests, "_THREAD_THRESHOLD", threshold)
        mp.setattr(digests, "_MIN_DISPATCH", min_dispatch)
        mp.setattr(digests, "_QUEUE_DEPTH", depth)
        with MultiHasher() as hasher:
            for i, block in enumerate(split(data, cuts)):
                kind = kinds[i % len(kinds)]
                if kind == "bytearray":
                    buffer = bytearray(block)
                    hasher.update(buffer)
                    buffer[:] = b"\0" * len(buffer)  # the caller may reuse its buffer at once
                else:
                    hasher.update(memoryview(block) if kind == "memoryview" else block)
            assert bool(hasher._threads) == (len(data) > threshold)
            ds = hasher.finish()
    assert ds == reference(data)
    assert all(not t.is_alive() for t in hasher._threads)


def test_multihasher_large_single_block(threaded):
    data = bytes(range(256)) * 9000  # > HASH_BLOCK_SIZE * 2 when given as a bytearray
    assert hash_bytes(bytearray(data)) == reference(data)
    assert hash_bytes(memoryview(data)) == reference(data)
    assert hash_bytes(data) == reference(data)


def test_multihasher_other_buffers():
    import array

    words = array.array("I", range(1000))
    assert hash_bytes(words) == reference(words.tobytes())
    with pytest.raises(TypeError, match="Strings must be encoded before hashing"):
        hash_bytes("abc")
    with pytest.raises(TypeError):
        hash_bytes(12)


def test_multihasher_pure_python_threaded(pure_python_sm3, threaded):
    data = bytes(range(256)) * 8
    with MultiHasher() as hasher:
        for i in range(0, len(data), 100):
            hasher.update(data[i : i + 100])
        assert hasher._threads
        ds = hasher.finish()
    assert ds.sm3 == digests._PurePythonSM3(data).hexdigest()
    if SM3_BACKEND == "openssl":
        assert ds.sm3 == hashlib.new("sm3", data).hexdigest()
    assert ds == reference(data)


def test_small_inputs_start_no_threads():
    for _ in range(200):
        with MultiHasher() as hasher:
            hasher.update(b"x" * 10_000)
            assert hasher._threads == ()
            hasher.finish()
    assert digest_threads() == []


def test_multihasher_lifecycle(threaded):
    hasher = MultiHasher()
    assert repr(hasher) == "<MultiHasher inline size=0>"
    hasher.update(b"")
    hasher.update(b"0123456789abcdef0123")
    assert repr(hasher) == "<MultiHasher threaded size=20>"
    assert hasher.size == 20
    ds = hasher.finish()
    assert hasher.finish() is ds
    assert repr(hasher) == "<MultiHasher finished size=20>"
    with pytest.raises(ValueError, match="already finished"):
        hasher.update(b"x")
    hasher.close()
    assert hasher.finish() is ds


def test_multihasher_abort_in_with_block(threaded):
    with pytest.raises(KeyError), MultiHasher() as hasher:
        hasher.update(b"x" * 100_000)
        assert len(digest_threads()) == 2
        raise KeyError("caller aborts")
    assert all(not t.is_alive() for t in hasher._threads)
    assert repr(hasher) == "<MultiHasher closed size=100000>"
    with pytest.raises(ValueError, match="closed before it finished"):
        hasher.finish()


def test_multihasher_abandoned_is_collected(threaded):
    hasher = MultiHasher()
    hasher.update(b"x" * 1000)
    threads = hasher._threads
    assert all(t.is_alive() for t in threads)
    del hasher
    gc.collect()
    for t in threads:
        t.join(timeout=5)
    assert all(not t.is_alive() for t in threads)


class _Exploding:
    name, digest_size, block_size = "sm3", 32, 64

    def __init__(self, data=b""):
        self.seen = 0

    def update(self, data):
        self.seen += len(data)
        if self.seen > 200:
            raise OSError("simulated hash failure")

    def hexdigest(self):  # pragma: no cover - never reached
        return "0" * 64


def test_multihasher_worker_error_is_raised(monkeypatch, threaded):
    monkeypatch.setattr(digests, "_sm3_constructor", _Exploding)
    with pytest.raises(OSError, match="simulated hash failure"), MultiHasher() as hasher:
        for _ in range(100):
            hasher.update(b"y" * 50)
        hasher.finish()
    assert all(not t.is_alive() for t in hasher._threads)


# -- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 100_000])
def test_hash_file_path_and_object(tmp_path, size, threaded):
    data = bytes((i * 7 + 3) % 256 for i in range(size))
    path = tmp_path / "evidence.bin"
    path.write_bytes(data)
    before = path.stat()
    expected = reference(data)
    assert hash_file(path) == expected
    assert hash_file(str(path), block_size=1000) == expected
    with path.open("rb") as f:
        assert hash_file(f, block_size=333) == expected
        assert not f.closed
    after = path.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)


def test_hash_file_reads_from_current_position():
    stream = io.BytesIO(b"HEADERpayload")
    stream.seek(6)
    assert hash_file(stream) == hash_bytes(b"payload")


def test_hash_file_read_only_file(tmp_path):
    path = tmp_path / "ro.bin"
    path.write_bytes(b"abc")
    path.chmod(0o444)
    assert hash_file(path).sha256 == SHA256_ABC


def test_hash_file_errors(tmp_path):
    with pytest.raises(SourceError, match="no such file") as info:
        hash_file(tmp_path / "missing.jpg")
    assert info.value.path == tmp_path / "missing.jpg"
    with pytest.raises(SourceError, match="is a directory, not a file"):
        hash_file(tmp_path)
    text = tmp_path / "t.txt"
    text.write_text("abc")
    with text.open() as f, pytest.raises(TypeError, match="binary mode"):
        hash_file(f)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="block_size must be positive"):
            hash_file(text, block_size=bad)
    with pytest.raises(TypeError, match="block_size must be an int"):
        hash_file(text, block_size=1.5)
    with pytest.raises(TypeError):
        hash_file(12345)


class _ShortWriter(io.RawIOBase):
    """A raw file that accepts at most 7 bytes per write() call."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        chunk = bytes(b[:7])
        self.data += chunk
        return len(chunk)


def test_copy_and_hash(tmp_path, threaded):
    data = bytes((i * 31 + 5) % 251 for i in range(50_000))
    src = tmp_path / "src.bin"
    dst = tmp_path / "dst.bin"
    src.write_bytes(data)
    with src.open("rb") as fin, dst.open("wb") as fout:
        ds = copy_and_hash(fin, fout, block_size=4096)
    assert dst.read_bytes() == data
    assert ds == reference(data)
    assert src.read_bytes() == data

    short = _ShortWriter()
    assert copy_and_hash(io.BytesIO(data[:1000]), short, block_size=100) == reference(data[:1000])
    assert bytes(short.data) == data[:1000]

    empty = io.BytesIO()
    assert copy_and_hash(io.BytesIO(b""), empty) == reference(b"")
    assert empty.getvalue() == b""


def test_copy_and_hash_write_failure_leaves_no_threads(threaded):
    class Full(io.RawIOBase):
        def writable(self):
            return True

        def write(self, b):
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        copy_and_hash(io.BytesIO(b"z" * 10_000), Full(), block_size=100)


# -- shared corpus ---------------------------------------------------------------------------


def _corpus_entries() -> list:
    if not MANIFEST.is_file():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason=f"shared corpus not found at {CORPUS}"),
                id="no-corpus",
            )
        ]
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return [pytest.param(entry, id=entry["file"]) for entry in entries]


@pytest.mark.corpus
@pytest.mark.parametrize("entry", _corpus_entries())
def test_corpus_digests(entry):
    expected = DigestSet.from_dict(entry)
    found = hash_file(CORPUS / entry["file"])
    assert expected.mismatches(found) == ()
