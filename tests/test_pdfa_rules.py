"""PDF/A-3b on real pipeline output (Hindi and English letters), the rule checker against
deliberately broken files, and the optional visible stamp."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from sealed import WORDS, register_letters, sealed_copy

from dakscan.ingest.keys import init_dev_key
from dakscan.ingest.pdfa import embedded_record
from dakscan.ingest.pdfa_check import (
    check_signed_pdf,
    font_embedded,
    pikepdf_findings,
    revision_before_first_signature,
)
from dakscan.ingest.sign import sign_pdf
from dakscan.ingest.verify import verify_bytes
from dakscan.service.config import get_settings, reset_settings


def _all_fonts(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        res = page.obj.get("/Resources", {})
        yield from res.get("/Font", {}).values()
        for form in res.get("/XObject", {}).values():
            yield from form.get("/Resources", {}).get("/Font", {}).values()


def test_pipeline_output_is_pdfa_3b_and_keeps_its_text(home, tmp_path):
    """Hindi and English letters through the real pipeline: every PDF/A rule, qpdf, text."""
    results = register_letters(tmp_path / "scans")
    for lang, r in results.items():
        path = Path(r["archive"]["path"])
        data = path.read_bytes()
        assert check_signed_pdf(data) == []  # rules + pikepdf on the signed file
        base = revision_before_first_signature(data)
        assert base and len(base) < len(data)
        assert pikepdf_findings(base) == []  # pikepdf alone, on the bytes make_pdfa wrote
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No syntax or stream encoding errors" in check.stdout
        with pikepdf.open(path) as pdf:
            assert pdf.pdf_version <= "1.7" and str(pdf.Root.get("/Version")) == "/1.7"
            assert not pdf.is_encrypted
            xmp = pdf.open_metadata()
            assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")
            assert xmp["dc:identifier"] == r["dak"]["diary_no"]
            assert r["dak"]["diary_no"] in str(pdf.docinfo["/Title"])
            assert xmp["dc:title"] == str(pdf.docinfo["/Title"])
            assert lang in xmp["dc:language"] and str(pdf.Root.Lang) == lang
            intent = pdf.Root.OutputIntents[0]
            assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
            assert "sRGB" in str(intent.OutputConditionIdentifier)
            fonts = list(_all_fonts(pdf))
            assert any("GlyphLessFont" in str(f.get("/BaseFont")) for f in fonts)
            assert fonts and all(font_embedded(f) for f in fonts)
            assert "/JavaScript" not in pdf.Root.get("/Names", {})
            record = embedded_record(pdf)
            assert record["diary_no"] == r["dak"]["diary_no"]
            assert record["sha256"] == r["archive"]["sha256"]
            assert record["language"] == r["dak"]["language"]
            spec = pdf.attachments["dak.json"].obj
            assert spec.AFRelationship == "/Data" and spec in list(pdf.Root.AF)
        with pdfplumber.open(path) as pdf:
            assert WORDS[lang] in pdf.pages[0].extract_text()  # signing kept the text layer


def _base(home: Path) -> bytes:
    sealed = sealed_copy(home)
    return revision_before_first_signature(Path(sealed["hi"]["archive"]["path"]).read_bytes())


def _broken(base: bytes, change) -> bytes:  # noqa: ANN001
    with pikepdf.open(io.BytesIO(base)) as pdf:
        save_kwargs = change(pdf) or {}
        out = io.BytesIO()
        pdf.save(out, **save_kwargs)
        return out.getvalue()


def _drop_font_file(pdf: pikepdf.Pdf) -> None:
    for font in _all_fonts(pdf):
        for f in [font, *font.get("/DescendantFonts", [])]:
            desc = f.get("/FontDescriptor")
            if desc is not None and "/FontFile2" in desc:
                del desc["/FontFile2"]


def _xmp_part_2(pdf: pikepdf.Pdf) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"


def _cmyk_group(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].obj.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency,
                                                CS=pikepdf.Name.DeviceCMYK)


def _javascript(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                             JS=pikepdf.String("app.alert('x')"))


def _no_record(pdf: pikepdf.Pdf) -> None:
    del pdf.attachments["dak.json"]  # pikepdf also drops it from the catalog's /AF


BREAKS = {
    "output intent: no GTS_PDFA1": lambda pdf: pdf.Root.__delitem__("/OutputIntents"),
    "not embedded": _drop_font_file,
    "javascript: object": _javascript,
    "encryption: the file is encrypted": lambda pdf: {
        "encryption": pikepdf.Encryption(owner="office", user="")},
    "xmp: pdfaid is part 2": _xmp_part_2,
    "dak.json (the dak record) is missing": _no_record,
    "transparency: object": _cmyk_group,
    "catalog: /Version 2.0": lambda pdf: setattr(pdf.Root, "Version", pikepdf.Name("/2.0")),
}


def test_rule_checker_names_each_broken_rule(home):
    base = _base(home)
    assert check_signed_pdf(_broken(base, lambda pdf: None)) == []  # a plain re-save conforms
    for expected, change in BREAKS.items():
        findings = check_signed_pdf(_broken(base, change))
        assert any(expected in f for f in findings), (expected, findings)


def test_visible_stamp_is_bilingual_embedded_and_pdfa(home, monkeypatch):
    base = _base(home)
    monkeypatch.setenv("DAKSCAN_VISIBLE_STAMP", "true")
    reset_settings()
    signed = sign_pdf(base, get_settings(), "7/2026/DAK")
    assert check_signed_pdf(signed) == []
    verdict = verify_bytes(signed, "stamped.pdf", get_settings(), register=False)
    assert verdict.intact and verdict.signature_valid and verdict.pdfa and verdict.ok
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        widget = next(a for a in pdf.pages[0].Annots if a.get("/FT") == "/Sig")
        x1, y1, x2, y2 = (float(v) for v in widget.Rect)
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        assert x2 > width / 2 and y2 > height / 2  # top right, where a receipt stamp goes
        appearance = widget.AP.N
        fonts = list(appearance.Resources.Font.values())
        assert fonts and all(font_embedded(f) for f in fonts)
        spoken = " ".join(str(op.operands[1].ActualText)
                          for op in pikepdf.parse_content_stream(appearance)
                          if str(op.operator) == "BDC" and "/ActualText" in op.operands[1])
    assert "डायरी क्रमांक" in spoken and "Diary No. 7/2026/DAK" in spoken
    with pdfplumber.open(io.BytesIO(signed)) as pdf:
        assert WORDS["hi"] in pdf.pages[0].extract_text()


def test_ecdsa_key_makes_pdf_2_and_the_check_says_so(home):
    """Why RSA is the default: pyHanko marks an ECDSA P-256 signature's file PDF 2.0."""
    base = _base(home)
    settings = get_settings()
    for p in settings.keys_dir.glob("dev-signer.*"):
        p.unlink()
    init_dev_key(settings.keys_dir, algorithm="ecdsa")
    findings = check_signed_pdf(sign_pdf(base, settings, "8/2026/DAK"))
    assert any("/Version 2.0" in f for f in findings), findings


@pytest.mark.parametrize("junk", [b"", b"%PDF-1.7\n%%EOF", b"not a pdf at all"])
def test_junk_is_not_pdfa(junk):
    assert check_signed_pdf(junk)
