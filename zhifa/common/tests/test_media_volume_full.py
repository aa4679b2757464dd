"""A failed write to local media (the volume full) raises and leaves no file behind, not even a partial one; the
cluster's fault test (tests/reliability/test_faults.py) does it on a real full volume."""

from __future__ import annotations

import errno

import pytest
from django.core.files.base import ContentFile, File

from zhifa.common.files import PrivateFileSystemStorage


class FullVolume(File):
    """Content whose second chunk cannot be written: as when the volume fills up half-way."""

    def __init__(self):
        super().__init__(None, name="evidence.pdf")
        self.size = 2 * 65536

    def chunks(self, chunk_size=None):
        yield b"x" * 65536
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fails_half_way_leaves_no_file(tmp_path):
    storage = PrivateFileSystemStorage(location=tmp_path)
    kept = storage.save("evidence/before.txt", ContentFile(b"kept"))
    with pytest.raises(OSError) as refused:
        storage.save("evidence/after.pdf", FullVolume())
    assert refused.value.errno == errno.ENOSPC
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [kept]


def test_a_saved_file_is_whole_under_its_random_name_and_nothing_else_remains(tmp_path):
    storage = PrivateFileSystemStorage(location=tmp_path)
    names = {storage.save("evidence/a.txt", ContentFile(b"one")), storage.save("evidence/a.txt", ContentFile(b"two"))}
    assert len(names) == 2 and all(n.startswith("evidence/") and n.endswith(".txt") for n in names)
    assert sorted(storage.open(n).read() for n in names) == [b"one", b"two"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(names)
