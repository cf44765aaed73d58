"""Hostile and broken files: each is refused with a reason the desk understands, the batch
goes on, nothing reaches the register, and the original is left exactly as it was."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from sqlalchemy import func, select

from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak
from dakscan.service.pipeline import Pipeline

from letters import HINDI_LETTER, render_page, save, save_multipage

DAKSCAN = str(Path(sys.executable).parent / "dakscan")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def huge_header_png(path: Path) -> Path:
    """A 60000×60000 PNG header over a few bytes of data: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
    body = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + _png_chunk(b"IEND", b""))
    path.write_bytes(body)
    return path


def small_page():
    return render_page(HINDI_LETTER[:4], page=(1240, 600), margin=60)


def bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, expected error_code)."""
    page = small_page()
    files: dict[str, tuple[Path, str]] = {}
    empty = tmp / "empty.pdf"
    empty.write_bytes(b"")
    files["zero-byte"] = (empty, "empty")
    full = save_multipage([page, page], tmp / "full.pdf").read_bytes()
    cut = tmp / "truncated.pdf"
    cut.write_bytes(full[: len(full) * 2 // 3])
    files["truncated pdf"] = (cut, "truncated")
    enc = tmp / "encrypted.pdf"
    with pikepdf.open(io.BytesIO(full)) as pdf:
        pdf.save(enc, encryption=pikepdf.Encryption(owner="o", user="secret"))
    files["encrypted pdf"] = (enc, "encrypted")
    text = tmp / "letter.jpg"
    text.write_text("This is a text file, not a scan.\n")
    files["text named .jpg"] = (text, "not_a_scan")
    files["60000x60000 header"] = (huge_header_png(tmp / "bomb.png"), "too_large")
    nopages = tmp / "nopages.pdf"
    pikepdf.new().save(nopages)
    files["pdf without pages"] = (nopages, "no_pages")
    Image.new("L", (1, 1), 255).save(tmp / "dot.png")
    files["1x1 png"] = (tmp / "dot.png", "too_small")
    stamp = pikepdf.new()
    stamp.add_blank_page()
    stamp.pages[0].mediabox = [0, 0, 1, 1]
    stamp.save(tmp / "stamp.pdf")
    files["1x1 pt pdf page"] = (tmp / "stamp.pdf", "too_small")
    for fmt in ("png", "jpg", "tif"):
        whole = save(page, tmp / f"whole.{fmt}").read_bytes()
        part = tmp / f"truncated.{fmt}"
        part.write_bytes(whole[: len(whole) // 2])
        files[f"truncated {fmt}"] = (part, "truncated")
    return files


def dak_count() -> int:
    with session_scope(get_settings().db_url) as s:
        return s.scalar(select(func.count()).select_from(Dak))


def test_each_bad_input_fails_clearly_and_is_kept(home, tmp_path):
    files = bad_inputs(tmp_path)
    before = {name: f.read_bytes() for name, (f, _) in files.items()}
    with Pipeline(workers=1) as pipeline:
        for name, (path, code) in files.items():
            r = pipeline.process(path)
            assert r["status"] == "failed", name
            assert r["error_code"] == code, (name, r)
            assert r["error"] and "Traceback" not in r["error"]
            assert any("\u0900" <= c <= "\u097f" for c in r["error_hi"])
            assert path.read_bytes() == before[name]
    assert dak_count() == 0


def test_truncated_multipage_tiff_is_refused_not_half_registered(home, tmp_path):
    page = small_page()
    whole = save_multipage([page, page, page], tmp_path / "three.tif").read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole[: int(len(whole) * 0.8)])
    with Pipeline(workers=1) as pipeline:
        r = pipeline.process(cut)
    assert r["status"] == "failed" and r["error_code"] == "truncated"
    assert dak_count() == 0


def test_cli_json_batch_goes_on_after_bad_files(home, tmp_path):
    good = save(small_page(), tmp_path / "good.png")
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    proc = subprocess.run([DAKSCAN, "process", "--json", str(bad), str(good), str(good)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1  # one input failed
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 3
    results = [json.loads(line) for line in lines]
    assert [r["source"] for r in results] == [str(bad), str(good), str(good)]
    assert results[0]["status"] == "failed" and results[0]["error"]
    assert {results[1]["status"], results[2]["status"]} == {"registered", "duplicate"}
    reg = next(r for r in results if r["status"] == "registered")
    assert reg["dak"]["diary_no"].split("/")[0] == "1"
    assert set(reg) >= {"source", "status", "dak", "archive", "pages", "seconds"}
    assert set(reg["dak"]) >= {"id", "diary_no", "language", "letter_no", "letter_date",
                               "subject", "sender", "addressee"}
    assert Path(reg["archive"]["path"]).is_absolute()
    assert reg["pages"][0].keys() >= {"rotation", "skew_deg", "ocr_confidence"}


def test_cli_exit_zero_when_all_registered_and_table_without_json(home, tmp_path):
    good = save(small_page(), tmp_path / "good.png")
    proc = subprocess.run([DAKSCAN, "process", str(good)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "1/" in proc.stdout and "registered" in proc.stdout


@pytest.mark.parametrize("mode", ["1", "P", "RGBA", "CMYK", "I;16"])
def test_unusual_image_modes_are_read(home, tmp_path, mode):
    img = small_page()
    conv = img.convert(mode) if mode != "I;16" else Image.fromarray(
        __import__("numpy").asarray(img).astype("uint16") * 257)
    fmt = "tif" if mode in ("CMYK", "I;16", "1") else "png"
    path = tmp_path / f"mode.{fmt}"
    conv.save(path, dpi=(300, 300))
    with Pipeline(workers=1) as pipeline:
        r = pipeline.process(path)
    assert r["status"] == "registered", r
    assert r["pages"][0]["ocr_confidence"] > 70


def test_a_tiff_of_too_many_frames_is_refused_before_decoding_them_all(tmp_path):
    from dakscan.ingest.errors import InputError
    from dakscan.ingest.pages import open_document

    frames = [Image.new("L", (120, 80), 255 - i) for i in range(7)]
    path = tmp_path / "many.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with pytest.raises(InputError) as refused:
        open_document(path, max_pages=3, max_pixels=10**8)
    assert refused.value.code == "too_many_pages" and "> 3" in refused.value.detail
    assert len(open_document(path, max_pages=7, max_pixels=10**8).pages) == 7


def test_jpeg_with_data_after_its_end_marker_is_read(home, tmp_path):
    """Cameras pad or append after the end-of-image marker; the picture itself is whole."""
    padded = tmp_path / "padded.jpg"
    padded.write_bytes(save(small_page(), tmp_path / "p.jpg").read_bytes() + b"\0" * 8192)
    with Pipeline(workers=1) as pipeline:
        r = pipeline.process(padded)
    assert r["status"] == "registered", r


def test_exif_orientation_is_honoured_before_the_page_is_read(home, tmp_path):
    """A phone photo stored sideways with an EXIF turn reads as its viewer shows it."""
    upright = small_page().convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    path = tmp_path / "phone.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif.tobytes(), quality=90)
    with Pipeline(workers=1) as pipeline:
        r = pipeline.process(path)
    assert r["status"] == "registered", r
    assert r["pages"][0]["rotation"] == 0 and r["pages"][0]["ocr_confidence"] > 70


def test_pdf_page_hiding_a_huge_picture_is_refused_before_rendering(home, tmp_path):
    """An A4 page whose image claims 40000×40000 pixels (a few KB of compressed zeros)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    data = zlib.compress(b"\0" * 40000 * 64)  # the stream need not hold every row
    image = pikepdf.Stream(pdf, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=40000, Height=40000, ColorSpace=pikepdf.Name.DeviceGray,
                           BitsPerComponent=8, Filter=pikepdf.Name.FlateDecode)
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    path = tmp_path / "bomb.pdf"
    pdf.save(path)
    with Pipeline(workers=1) as pipeline:
        r = pipeline.process(path)
    assert (r["status"], r["error_code"]) == ("failed", "too_large"), r
    assert dak_count() == 0
