"""The core pipeline on real rendered pages with the real Tesseract: the text that comes back
out of the archived PDF must match what was printed, however the page was fed in."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pdfplumber
import pytest

from dakscan.service.config import reset_settings
from dakscan.service.db import dispose_engines
from dakscan.service.pipeline import Intake, Pipeline

from letters import (
    ENGLISH_LETTER,
    HINDI_LETTER,
    cer,
    grey_uneven,
    noisy,
    quarter_turn,
    render_page,
    rotate,
    save,
    save_multipage,
    speckle,
)

HINDI_TRUTH = "\n".join(line.strip() for line in HINDI_LETTER)
ENGLISH_TRUTH = "\n".join(line.strip() for line in ENGLISH_LETTER)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    """One pipeline (and worker pool) for the module, over its own DAKSCAN_HOME."""
    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("DAKSCAN_HOME")
    os.environ["DAKSCAN_HOME"] = str(home)
    reset_settings()
    dispose_engines()
    with Pipeline(workers=2) as p:
        yield p
    dispose_engines()
    if old is None:
        os.environ.pop("DAKSCAN_HOME", None)
    else:
        os.environ["DAKSCAN_HOME"] = old
    reset_settings()


@pytest.fixture(scope="module")
def hindi_page():
    return render_page(HINDI_LETTER)


@pytest.fixture(scope="module")
def english_page():
    return render_page(ENGLISH_LETTER)


def pdf_text(result: dict) -> list[str]:
    """The text layer of the archived PDF, as a reader's copy-paste or an indexer sees it."""
    with pdfplumber.open(result["archive"]["path"]) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def registered(result: dict) -> dict:
    assert result["status"] == "registered", result
    return result


@pytest.mark.parametrize("skew", [-15.0, -10.0, -6.5, -2.2, 3.3, 7.9, 10.0, 15.0])
def test_skewed_hindi_page_reads_back_from_pdf(pipeline, hindi_page, tmp_path, skew):
    scan = save(noisy(rotate(hindi_page, skew), sigma=8, blur=0.6), tmp_path / "skewed.jpg")
    r = registered(pipeline.process(scan))
    page = r["pages"][0]
    assert abs(page["skew_deg"] - skew) <= 0.2
    assert page["rotation"] == 0
    assert cer(HINDI_TRUTH, pdf_text(r)[0]) <= 0.02


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("lang", ["hi", "en"])
def test_each_quarter_turn_stands_upright(pipeline, hindi_page, english_page, tmp_path,
                                          rotation, lang):
    page, truth = (hindi_page, HINDI_TRUTH) if lang == "hi" else (english_page, ENGLISH_TRUTH)
    scan = save(quarter_turn(rotate(page, 1.5), rotation), tmp_path / f"turned-{lang}.png")
    r = registered(pipeline.process(scan))
    assert r["pages"][0]["rotation"] == rotation
    assert abs(r["pages"][0]["skew_deg"] - 1.5) <= 0.2
    assert cer(truth, pdf_text(r)[0]) <= 0.02
    assert r["dak"]["language"] == lang


def test_grey_unevenly_lit_photocopy_reads_like_clean(pipeline, hindi_page, tmp_path):
    grey = speckle(noisy(grey_uneven(rotate(hindi_page, -4.0)), sigma=10, blur=0.8))
    scan = save(grey, tmp_path / "grey.jpg", quality=50)
    r = registered(pipeline.process(scan))
    assert cer(HINDI_TRUTH, pdf_text(r)[0]) <= 0.02
    assert r["pages"][0]["ocr_confidence"] > 80


def test_a_100_dpi_scan_is_read_enlarged_and_keeps_its_own_pixels(pipeline, hindi_page,
                                                                   tmp_path):
    """A scanner left at 100 dpi: read as printed, the archive keeps the 100 dpi picture and
    the word boxes fall on it (the review screen highlights evidence with them)."""
    from PIL import Image

    low = hindi_page.resize((hindi_page.width // 3, hindi_page.height // 3),
                            Image.Resampling.LANCZOS)
    path = tmp_path / "fax.png"
    low.save(path, dpi=(100, 100))
    r = registered(pipeline.process(path))
    assert cer(HINDI_TRUTH, pdf_text(r)[0]) <= 0.02
    with pdfplumber.open(r["archive"]["path"]) as pdf:
        image = pdf.pages[0].images[0]
        width, height = image["srcsize"]
    assert abs(width - low.width) <= 2 and abs(height - low.height) <= 2  # straightened only
    evidence = pipeline.find(r["archive"]["sha256"]).meta["fields"]["subject"]["evidence"]
    x0, y0, x1, y1 = evidence["boxes"][0]
    assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height * 0.5, evidence


def test_hindi_word_search_hits_the_text_layer(pipeline, hindi_page, tmp_path):
    r = registered(pipeline.process(save(hindi_page, tmp_path / "plain.tif")))
    text = pdf_text(r)[0]
    for word in ("पेयजल", "धमतरी", "क्रमांक", "प्रतिवेदन", "मिश्रा"):
        assert word in text


def test_multipage_tiff_and_pdf_keep_page_order(pipeline, hindi_page, english_page, tmp_path):
    pages = [english_page, grey_uneven(hindi_page)]
    for name in ("two.tif", "two.pdf"):
        r = registered(pipeline.process(save_multipage(pages, tmp_path / name)))
        assert r["archive"]["pages"] == 2
        text = pdf_text(r)
        assert cer(ENGLISH_TRUTH, text[0]) <= 0.02
        assert cer(HINDI_TRUTH, text[1]) <= 0.02
        assert r["dak"]["language"] == "bilingual"


def typed_pdf(path: Path, lines: list[str], font_name: str = "Helvetica") -> Path:
    """A born-digital one-page PDF with real text in the given (non-embedded) font."""
    import pikepdf

    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                              BaseFont=pikepdf.Name("/" + font_name))
    ops = "BT /F1 12 Tf 72 760 Td " + " ".join(f"({t}) Tj 0 -18 Td" for t in lines) + " ET"
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=pikepdf.Stream(pdf, ops.encode()))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def test_born_digital_pdf_keeps_its_own_text(pipeline, tmp_path):
    lines = ["Government of Chhattisgarh, Office of the Collector",
             "No. 77/Estt/2025 Dated 03.09.2025",
             "Subject: Born digital letters keep their own text layer"]
    r = registered(pipeline.process(typed_pdf(tmp_path / "digital.pdf", lines)))
    assert r["pages"][0]["source"] == "text-layer"
    text = pdf_text(r)[0]
    for line in lines:
        assert line in text


def test_legacy_hindi_font_text_is_not_trusted(pipeline, tmp_path):
    """Kruti Dev 'text' is Latin gibberish for Devanagari glyphs: the page is OCR'd instead."""
    lines = ["dk;kZy; dysDVj ftyk /kerjh", "Øekad 1234 fnukad 15-07-2025",
             "fo\"k; % xzke iapk;rksa esa is;ty O;oLFkk"]
    r = registered(pipeline.process(typed_pdf(tmp_path / "kruti.pdf", lines, "KrutiDev010")))
    assert r["pages"][0]["source"] == "ocr"


def test_same_original_twice_is_a_duplicate(pipeline, english_page, tmp_path):
    scan = save(rotate(english_page, 2.0), tmp_path / "once.png")
    first = registered(pipeline.process(scan))
    copy = tmp_path / "again-under-another-name.png"
    copy.write_bytes(scan.read_bytes())
    second = pipeline.process(copy)
    assert second["status"] == "duplicate"
    assert second["dak"]["diary_no"] == first["dak"]["diary_no"]
    assert second["archive"]["sha256"] == first["archive"]["sha256"]


def test_original_bytes_archived_beside_pdf(pipeline, hindi_page, tmp_path):
    scan = save(hindi_page, tmp_path / "keep.jpg")
    r = registered(pipeline.process(scan, Intake(unit="COLL")))
    original = Path(r["archive"]["original"])
    assert original.read_bytes() == scan.read_bytes()
    assert original.parent == Path(r["archive"]["path"]).parent
    assert r["dak"]["diary_no"].endswith("/COLL")
    assert scan.exists()  # the source is never touched


def test_blank_page_is_registered_but_flagged(pipeline, tmp_path):
    from PIL import Image

    blank = Image.new("L", (2480, 3508), 250)
    r = registered(pipeline.process(save(blank, tmp_path / "blank.png")))
    assert r["dak"]["needs_review"] is True
    assert any("no text" in reason for reason in r["dak"]["review_reasons"])


def test_text_layer_is_invisible_over_the_original_look(pipeline, hindi_page, tmp_path):
    """The archived page is the greyscale scan, straightened - not a binarised copy."""
    import numpy as np
    import pypdfium2 as pdfium

    grey = grey_uneven(rotate(hindi_page, 5.0))
    r = registered(pipeline.process(save(grey, tmp_path / "look.png")))
    doc = pdfium.PdfDocument(r["archive"]["path"])
    img = np.asarray(doc[0].render(scale=1).to_pil().convert("L"))
    doc.close()
    mid_grey = ((img > 60) & (img < 200)).mean()
    assert mid_grey > 0.3  # a binarised page would be almost all black or white
    with pdfplumber.open(io.BytesIO(Path(r["archive"]["path"]).read_bytes())) as pdf:
        assert "पेयजल" in (pdf.pages[0].extract_text() or "")


def test_enlarging_for_ocr_stays_within_what_tesseract_and_memory_take():
    """Only small print is enlarged: never past 30000 px a side or 40 Mpx (a banner-long
    strip or a poster-sized PDF page rendered at low dpi stays as it is)."""
    import numpy as np

    from dakscan.ingest.prepare import enlarged

    fax = np.full((1170, 827), 255, np.uint8)
    big, dpi = enlarged(fax, 100)
    assert big.shape == (3510, 2481) and dpi == 300
    for shape, dpi in (((60, 30000), 150), ((9000, 9000), 46), ((3508, 2480), 300)):
        same, got = enlarged(np.full(shape, 255, np.uint8), dpi)
        assert same.shape == shape and got == dpi
