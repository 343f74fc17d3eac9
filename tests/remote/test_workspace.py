"""Path-safe staging: names, chunked uploads with sha256 and resume, limits checked before
transfer, sealing, local files and archives."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path
from typing import Literal

import pytest

from core.errors import Conflict, InvalidInput, LimitExceeded, NotFound
from remote.workspace import (
    StagingLimits,
    Workspace,
    abort_upload,
    begin_upload,
    finish_upload,
    pending_uploads,
    read_log,
    safe_relpath,
    seal,
    sha256_bytes,
    stage_file,
    unpack_archive,
    upload_status,
    write_chunk,
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path / "farm", "job-1")


@pytest.mark.parametrize("name", [
    "../x", "a/../../x", "a/..", "/etc/passwd", "//x", "", ".", "./a", "a//b", "a\\b",
    "C:/x", "~root/x", "a\x00b", "a\nb", "x" * 300, "dir/" + "y" * 256,
])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        safe_relpath(name)


@pytest.mark.parametrize(("name", "expected"), [
    ("top.v", "top.v"), ("src/alu.v", "src/alu.v"), ("dir/", "dir"), ("문서/설계.v", "문서/설계.v"),
    ("a..b", "a..b"), (".hidden", ".hidden"),
])
def test_safe_names_are_kept(name: str, expected: str) -> None:
    assert str(safe_relpath(name)) == expected


def test_job_ids_are_checked(tmp_path: Path) -> None:
    for bad in ("../x", "a/b", "", ".x", "a..b", "x" * 200):
        with pytest.raises(InvalidInput):
            Workspace.at(tmp_path, bad)
    Workspace.create(tmp_path, "ok-1")
    with pytest.raises(Conflict):
        Workspace.create(tmp_path, "ok-1")


def _upload(ws: Workspace, name: str, data: bytes, chunk: int = 7) -> Path:
    up = begin_upload(ws, name, len(data), sha256_bytes(data))
    for off in range(0, len(data), chunk):
        write_chunk(ws, up.upload_id, off, data[off:off + chunk])
    return finish_upload(ws, up.upload_id)


def test_chunked_upload_lands_in_inputs(ws: Workspace) -> None:
    data = b"module top(input a, output y); assign y = a; endmodule\n"
    target = _upload(ws, "rtl/top.v", data)
    assert target == ws.inputs / "rtl" / "top.v"
    assert target.read_bytes() == data
    assert pending_uploads(ws) == []
    seal(ws)
    assert ws.is_sealed()
    with pytest.raises(Conflict):
        begin_upload(ws, "late.v", 1, sha256_bytes(b"x"))


def test_sha256_mismatch_is_refused_and_discarded(ws: Workspace) -> None:
    up = begin_upload(ws, "top.v", 5, sha256_bytes(b"hello"))
    write_chunk(ws, up.upload_id, 0, b"hellO")
    with pytest.raises(InvalidInput, match="sha256 mismatch"):
        finish_upload(ws, up.upload_id)
    assert not (ws.inputs / "top.v").exists()
    assert list(ws.staging.iterdir()) == []


def test_two_gib_upload_is_refused_before_any_byte(ws: Workspace) -> None:
    with pytest.raises(LimitExceeded, match="per-file limit"):
        begin_upload(ws, "huge.bin", 2 << 30, "0" * 64)
    assert list(ws.staging.iterdir()) == []
    limits = StagingLimits(max_file_bytes=100, max_total_bytes=150)
    begin_upload(ws, "a.bin", 100, "0" * 64, limits)
    with pytest.raises(LimitExceeded, match="total"):
        begin_upload(ws, "b.bin", 100, "0" * 64, limits)


def test_more_bytes_than_declared_are_refused(ws: Workspace) -> None:
    up = begin_upload(ws, "a.bin", 4, sha256_bytes(b"abcd"))
    with pytest.raises(LimitExceeded):
        write_chunk(ws, up.upload_id, 0, b"abcdef")
    assert upload_status(ws, up.upload_id).received == 0


def test_dropped_upload_resumes_from_the_received_offset(ws: Workspace) -> None:
    data = os.urandom(10_000)
    up = begin_upload(ws, "blob.bin", len(data), sha256_bytes(data))
    write_chunk(ws, up.upload_id, 0, data[:4096])
    write_chunk(ws, up.upload_id, 4096, data[4096:6000])
    # the connection drops; a new session asks where the upload stands
    state = upload_status(ws, up.upload_id)
    assert state.received == 6000 and not state.complete
    with pytest.raises(Conflict):
        finish_upload(ws, up.upload_id)
    with pytest.raises(Conflict, match="offset"):
        write_chunk(ws, up.upload_id, 7000, data[7000:])
    write_chunk(ws, up.upload_id, 4096, data[4096:6000])  # a retried chunk is harmless
    write_chunk(ws, up.upload_id, 6000, data[6000:])
    assert finish_upload(ws, up.upload_id).read_bytes() == data


def test_half_staged_job_cannot_be_sealed(ws: Workspace) -> None:
    up = begin_upload(ws, "a.v", 10, sha256_bytes(b"0123456789"))
    write_chunk(ws, up.upload_id, 0, b"01234")
    with pytest.raises(Conflict, match="uploads not finished"):
        seal(ws)
    assert not ws.is_sealed()
    abort_upload(ws, up.upload_id)
    seal(ws)
    assert ws.is_sealed()


def test_duplicate_and_unknown_uploads(ws: Workspace) -> None:
    _upload(ws, "a.v", b"x")
    with pytest.raises(Conflict):
        begin_upload(ws, "a.v", 1, sha256_bytes(b"x"))
    begin_upload(ws, "b.v", 1, sha256_bytes(b"x"))
    with pytest.raises(Conflict):
        begin_upload(ws, "b.v", 1, sha256_bytes(b"x"))
    with pytest.raises(NotFound):
        upload_status(ws, "0" * 32)
    with pytest.raises(InvalidInput):
        upload_status(ws, "../../etc/passwd")
    with pytest.raises(InvalidInput):
        begin_upload(ws, "c.v", -1, sha256_bytes(b"x"))
    with pytest.raises(InvalidInput):
        begin_upload(ws, "c.v", 1, "not-a-digest")


def test_upload_cannot_pass_through_a_symlink(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.inputs / "link").symlink_to(outside)
    with pytest.raises(InvalidInput, match="non-directory"):
        _upload(ws, "link/evil.v", b"x")
    assert list(outside.iterdir()) == []


def test_stage_file_refuses_symlinks_and_special_files(ws: Workspace, tmp_path: Path) -> None:
    real = tmp_path / "real.v"
    real.write_text("module m; endmodule\n")
    assert stage_file(ws, "real.v", real).read_text() == real.read_text()
    link = tmp_path / "link.v"
    link.symlink_to(real)
    with pytest.raises(InvalidInput, match="symlink"):
        stage_file(ws, "link.v", link)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match="not a regular file"):
        stage_file(ws, "pipe", fifo)
    with pytest.raises(InvalidInput, match="not a regular file"):
        stage_file(ws, "null", Path("/dev/null"))
    with pytest.raises(InvalidInput):
        stage_file(ws, "../escape.v", real)


def _tar(members: list[tarfile.TarInfo], datas: list[bytes],
         mode: Literal["w", "w:gz"] = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for info, data in zip(members, datas, strict=True):
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buf.getvalue()


def _reg(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, b""


def _put_archive(ws: Workspace, name: str, data: bytes) -> None:
    (ws.inputs / name).write_bytes(data)


def test_good_tar_and_zip_unpack(ws: Workspace) -> None:
    good = [_reg("lab/top.v", b"module top; endmodule\n"), _reg("lab/tb.v", b"// tb\n")]
    _put_archive(ws, "lab.tar.gz", _tar([m for m, _ in good], [d for _, d in good]))
    written = unpack_archive(ws, "lab.tar.gz", dest="src")
    assert sorted(written) == ["src/lab/tb.v", "src/lab/top.v"]
    assert (ws.inputs / "src/lab/top.v").read_bytes() == b"module top; endmodule\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("z/a.txt", "alpha")
        zf.writestr("z/sub/", "")
    _put_archive(ws, "z.zip", buf.getvalue())
    assert unpack_archive(ws, "z.zip") == ["z/a.txt"]
    assert (ws.inputs / "z/sub").is_dir()


@pytest.mark.parametrize(("member", "match"), [
    (_reg("../evil.v", b"x"), r"\.\."),
    (_reg("/etc/evil.v", b"x"), "absolute"),
    (_reg("ok/../../evil.v", b"x"), r"\.\."),
    (_special("link", tarfile.SYMTYPE, "/etc/passwd"), "link"),
    (_special("hard", tarfile.LNKTYPE, "/etc/passwd"), "link"),
    (_special("dev", tarfile.CHRTYPE), "not a file"),
    (_special("fifo", tarfile.FIFOTYPE), "not a file"),
])
def test_bad_tar_members_refuse_the_whole_archive(
        ws: Workspace, member: tuple[tarfile.TarInfo, bytes], match: str) -> None:
    first = _reg("first.v", b"written before the bad member?")
    _put_archive(ws, "bad.tar", _tar([first[0], member[0]], [first[1], member[1]], "w"))
    with pytest.raises(InvalidInput, match=match):
        unpack_archive(ws, "bad.tar")
    assert sorted(p.name for p in ws.inputs.iterdir()) == ["bad.tar"]


def test_zip_with_traversal_or_symlink_is_refused(ws: Workspace) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ok.txt", "fine")
        zf.writestr("../../evil.txt", "bad")
    _put_archive(ws, "trav.zip", buf.getvalue())
    with pytest.raises(InvalidInput):
        unpack_archive(ws, "trav.zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    _put_archive(ws, "link.zip", buf.getvalue())
    with pytest.raises(InvalidInput, match="symlink"):
        unpack_archive(ws, "link.zip")
    assert sorted(p.name for p in ws.inputs.iterdir()) == ["link.zip", "trav.zip"]


def test_archive_size_limits(ws: Workspace) -> None:
    big = _reg("big.bin", b"\0" * 5000)
    _put_archive(ws, "bomb.tar.gz", _tar([big[0]], [big[1]]))
    with pytest.raises(LimitExceeded):
        unpack_archive(ws, "bomb.tar.gz", limits=StagingLimits(max_file_bytes=1000))
    with pytest.raises(LimitExceeded):
        unpack_archive(ws, "bomb.tar.gz", limits=StagingLimits(max_total_bytes=3000))
    _put_archive(ws, "junk.tar", b"this is not an archive at all" * 20)
    with pytest.raises(InvalidInput):
        unpack_archive(ws, "junk.tar")
    with pytest.raises(NotFound):
        unpack_archive(ws, "missing.tar")


def test_read_log_by_offset(ws: Workspace) -> None:
    assert read_log(ws, "stdout", 0) == (b"", 0, False)
    ws.log("stdout").write_bytes(b"abcdefgh")
    data, off, eof = read_log(ws, "stdout", 0, max_bytes=3)
    assert (data, off, eof) == (b"abc", 3, False)
    data, off, eof = read_log(ws, "stdout", off)
    assert (data, off, eof) == (b"defgh", 8, False)
    ws.status_file.write_text("{}")
    assert read_log(ws, "stdout", off) == (b"", 8, True)
    with pytest.raises(InvalidInput):
        read_log(ws, "stdin", 0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        read_log(ws, "stdout", -1)
