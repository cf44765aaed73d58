"""PDF/A-3b conformance check of a signed dak PDF, without veraPDF.

Two layers. pikepdf's validator (`pikepdf.pdfa`, veraPDF rule ids) checks the whole
document; it does not know signature fields (it reports /AcroForm and widgets as
"unsupported"), so the signature's parts are checked here by explicit rules and pikepdf
then sees the latest revision with the signature widget shown as a plain annotation — its
appearance (the visible stamp's font and colours) is still checked. The revision as
`make_pdfa` wrote it is also validated byte for byte. On top, the rules the issue names are
asserted one by one, so a finding says which rule broke in plain words.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pikepdf
import pikepdf.pdfa as pdfa

FLAVOUR = "3b"
PART, CONFORMANCE = "3", "B"
RECORD_NAME = "dak.json"
SIG_SUBFILTERS = {"/ETSI.CAdES.detached", "/adbe.pkcs7.detached"}
ALLOWED_EXTENSIONS = {"/ADBE", "/ESIC"}  # Adobe's, and ETSI's for PAdES (BaseVersion 1.7)
FORBIDDEN_ANNOTS = {"/3D", "/Sound", "/Movie", "/Screen", "/RichMedia"}
ANNOT_PRINT, ANNOT_HIDDEN, ANNOT_INVISIBLE, ANNOT_NOVIEW, ANNOT_TOGGLE = 4, 2, 1, 32, 256
XMP_REQUIRED = ("dc:title", "dc:identifier", "dc:language", "dc:description")


def check_signed_pdf(data: bytes) -> list[str]:
    """Every PDF/A-3b finding for a signed (or unsigned) dak PDF; empty when it conforms."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - an unreadable file simply does not conform
        return [f"unreadable: {type(exc).__name__}: {exc}"[:300]]
    with pdf:
        findings = [*header_rules(data), *document_rules(pdf), *signature_rules(pdf)]
        findings += pikepdf_latest_revision(pdf)
    base = revision_before_first_signature(data)
    if base is not None:
        findings += [f"signed revision: {f}" for f in pikepdf_findings(base)]
    return findings


def pikepdf_findings(data: bytes) -> list[str]:
    """pikepdf's own verdict on exact bytes (not_checked counts as not passing)."""
    report = pdfa.validate_written(io.BytesIO(data), FLAVOUR)
    return [f"{f.rule}: {f.message}" for f in report.findings]


def revision_before_first_signature(data: bytes) -> bytes | None:
    """The bytes up to the %%EOF that precedes the first /ByteRange, or None when unsigned."""
    match = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", data)
    if match is None:
        return None
    end = data.rfind(b"%%EOF", 0, int(match.group(1)))
    if end < 0:
        return b""
    end += 5
    while end < len(data) and data[end:end + 1] in (b"\r", b"\n"):
        end += 1
    return data[:end]


# -- rules -----------------------------------------------------------------------------


def header_rules(data: bytes) -> list[str]:
    """%PDF-1.n with n <= 7, followed by a comment line of at least 4 binary bytes."""
    out = []
    head = re.match(rb"%PDF-(\d)\.(\d)\r?\n?", data[:16])
    if head is None or (int(head.group(1)), int(head.group(2))) > (1, 7):
        out.append("header: not a %PDF-1.x (x <= 7) file")
    second = data[head.end():head.end() + 8] if head else b""
    if not (second.startswith(b"%") and sum(b > 127 for b in second[1:5]) == 4):
        out.append("header: the binary comment line after the header is missing")
    return out


def document_rules(pdf: pikepdf.Pdf) -> list[str]:
    out: list[str] = []
    root = pdf.Root
    if "/Encrypt" in pdf.trailer:
        out.append("encryption: the file is encrypted")
    if "/ID" not in pdf.trailer:
        out.append("trailer: no /ID")
    version = str(root.get("/Version", "/1.0"))[1:]
    if _version(version) > (1, 7):
        out.append(f"catalog: /Version {version} is above 1.7 (PDF 2.0 is not PDF/A-3)")
    out += xmp_rules(pdf) + output_intent_rules(pdf) + font_rules(pdf)
    out += javascript_rules(pdf) + transparency_rules(pdf) + embedded_file_rules(pdf)
    out += annotation_rules(pdf) + extension_rules(pdf)
    return out


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    try:
        return int(major), int(minor or 0)
    except ValueError:
        return (9, 9)


def xmp_rules(pdf: pikepdf.Pdf) -> list[str]:
    """XMP says PDF/A-3B and carries title, diary number, language; Info agrees with it."""
    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return ["xmp: no metadata stream"]
    out = []
    if "/Filter" in stream.stream_dict:
        out.append("xmp: the metadata stream is filtered")
    meta = pdf.open_metadata()
    if meta.get("pdfaid:part") != PART or meta.get("pdfaid:conformance") != CONFORMANCE:
        out.append(f"xmp: pdfaid is part {meta.get('pdfaid:part')} conformance "
                   f"{meta.get('pdfaid:conformance')}, not {PART}{CONFORMANCE}")
    out += [f"xmp: {key} is missing" for key in XMP_REQUIRED if not meta.get(key)]
    info = pdf.trailer.get("/Info")
    if info is not None:
        title = meta.get("dc:title")
        if "/Title" in info and str(info.Title) != (title or ""):
            out.append("info: /Title differs from dc:title")
        if "/Subject" in info and str(info.Subject) != (meta.get("dc:description") or ""):
            out.append("info: /Subject differs from dc:description")
    return out


def output_intent_rules(pdf: pikepdf.Pdf) -> list[str]:
    """One GTS_PDFA1 OutputIntent whose embedded ICC profile is an RGB (sRGB) profile."""
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFA1"]
    if not intents:
        return ["output intent: no GTS_PDFA1 OutputIntent"]
    profiles = {i.get("/DestOutputProfile").objgen for i in intents
                if i.get("/DestOutputProfile") is not None}
    if len(profiles) != 1:
        return ["output intent: not exactly one embedded ICC profile"]
    intent = intents[0]
    icc = intent.DestOutputProfile.read_bytes()
    out = []
    if icc[36:40] != b"acsp" or icc[16:20] != b"RGB ":
        out.append("output intent: the embedded ICC profile is not an RGB profile")
    names = " ".join(str(intent.get(k, "")) for k in ("/OutputConditionIdentifier", "/Info"))
    if "srgb" not in (names + icc[:4096].decode("latin-1")).lower():
        out.append("output intent: the ICC profile is not sRGB")
    return out


def _resources(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every resource dictionary reachable from pages, forms, patterns and appearances."""
    seen: set = set()
    pending = []
    for page in pdf.pages:
        pending.append(page.obj.get("/Resources"))
        for annot in page.obj.get("/Annots", []):
            for state in (annot.get("/AP") or {}).values():
                streams = [state] if isinstance(state, pikepdf.Stream) else state.values()
                pending += [s.get("/Resources") for s in streams
                            if isinstance(s, pikepdf.Stream)]
    while pending:
        res = pending.pop()
        if not isinstance(res, pikepdf.Dictionary):
            continue
        key = res.objgen if res.is_indirect else id(res)
        if key in seen:
            continue
        seen.add(key)
        yield res
        for group in ("/XObject", "/Pattern"):
            for obj in (res.get(group) or {}).values():
                if isinstance(obj, pikepdf.Stream):
                    pending.append(obj.get("/Resources"))
        for font in (res.get("/Font") or {}).values():
            if font.get("/Subtype") == "/Type3":
                pending.append(font.get("/Resources"))


def _fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    for res in _resources(pdf):
        yield from (res.get("/Font") or {}).values()


def font_embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are content streams, nothing to embed
    for f in [font, *font.get("/DescendantFonts", [])]:
        desc = f.get("/FontDescriptor")
        if desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2",
                                                         "/FontFile3")):
            return True
    return False


def font_rules(pdf: pikepdf.Pdf) -> list[str]:
    """Every font is embedded, the invisible OCR text font and the stamp's font included."""
    return [f"fonts: {font.get('/BaseFont')} is not embedded"
            for font in _fonts(pdf) if not font_embedded(font)]


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Dictionary]]:
    """(object number, dictionary) for every dictionary in the file, direct ones included."""
    for obj in pdf.objects:
        number = obj.objgen[0]
        pending = [obj]
        while pending:
            item = pending.pop()
            if isinstance(item, pikepdf.Stream):
                item = item.stream_dict
            if isinstance(item, pikepdf.Dictionary):
                yield number, item
                children = item.values()
            elif isinstance(item, pikepdf.Array):
                children = list(item)
            else:
                continue
            pending += [c for c in children if isinstance(c, pikepdf.Dictionary | pikepdf.Array)
                        and not c.is_indirect]


def javascript_rules(pdf: pikepdf.Pdf) -> list[str]:
    """No JavaScript anywhere and no additional-actions (/AA) dictionaries."""
    out = []
    if "/JavaScript" in pdf.Root.get("/Names", {}):
        out.append("javascript: the catalog's name tree holds JavaScript")
    for number, d in _dictionaries(pdf):
        if "/JS" in d or d.get("/S") == "/JavaScript":
            out.append(f"javascript: object {number} holds a JavaScript action")
        if "/AA" in d:
            out.append(f"actions: object {number} has additional actions (/AA)")
    return out


def transparency_rules(pdf: pikepdf.Pdf) -> list[str]:
    """A transparency group may not blend in a colour space the sRGB intent does not cover."""
    out = []
    for number, d in _dictionaries(pdf):
        group = d.get("/Group")
        if not isinstance(group, pikepdf.Dictionary) or group.get("/S") != "/Transparency":
            continue
        cs = group.get("/CS")
        if cs is not None and str(cs) in ("/DeviceCMYK", "/CalCMYK"):
            out.append(f"transparency: object {number} blends in {cs} under an RGB "
                       "output intent")
    return out


def embedded_file_rules(pdf: pikepdf.Pdf) -> list[str]:
    """Each embedded file is an associated file of the catalog with a MIME type; the dak
    record is one of them and is JSON."""
    out = []
    listed = {spec.objgen for spec in pdf.Root.get("/AF", []) if spec.is_indirect}
    names = dict(pdf.attachments.items())
    for name, spec in names.items():
        obj = spec.obj
        if obj.objgen not in listed:
            out.append(f"embedded file {name}: not listed in the catalog's /AF")
        for key in ("/AFRelationship", "/F", "/UF"):
            if key not in obj:
                out.append(f"embedded file {name}: {key} is missing")
        stream = (obj.get("/EF") or {}).get("/F")
        if not isinstance(stream, pikepdf.Stream) or "/Subtype" not in stream.stream_dict:
            out.append(f"embedded file {name}: no MIME type (/Subtype)")
    if RECORD_NAME not in names:
        out.append(f"embedded file: {RECORD_NAME} (the dak record) is missing")
    else:
        try:
            json.loads(names[RECORD_NAME].get_file().read_bytes().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            out.append(f"embedded file: {RECORD_NAME} is not JSON")
    return out


def annotation_rules(pdf: pikepdf.Pdf) -> list[str]:
    """Annotations print, are not hidden, and carry a normal appearance when they have area."""
    out = []
    for number, page in enumerate(pdf.pages, 1):
        for annot in page.obj.get("/Annots", []):
            subtype = str(annot.get("/Subtype"))
            where = f"page {number} {subtype[1:]} annotation"
            if subtype in FORBIDDEN_ANNOTS:
                out.append(f"{where}: type not permitted in PDF/A")
                continue
            if subtype == "/Popup":
                continue
            flags = int(annot.get("/F", 0))
            if not flags & ANNOT_PRINT:
                out.append(f"{where}: the print flag is not set")
            if flags & (ANNOT_HIDDEN | ANNOT_INVISIBLE | ANNOT_NOVIEW | ANNOT_TOGGLE):
                out.append(f"{where}: hidden, invisible or no-view flag set")
            if "/A" in annot and subtype == "/Widget":
                out.append(f"{where}: a widget with an action")
            out += _appearance_rule(annot, where)
    return out


def _appearance_rule(annot: pikepdf.Dictionary, where: str) -> list[str]:
    rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
    has_area = abs(rect[2] - rect[0]) > 0 and abs(rect[3] - rect[1]) > 0
    ap = annot.get("/AP")
    if ap is None:
        return [f"{where}: no appearance (/AP /N)"] if has_area else []
    if set(ap.keys()) != {"/N"}:
        return [f"{where}: the appearance has keys other than /N"]
    return []


def extension_rules(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    for name, ext in (pdf.Root.get("/Extensions") or {}).items():
        if name not in ALLOWED_EXTENSIONS:
            out.append(f"extensions: developer extension {name} is not allowed")
        elif _version(str(ext.get("/BaseVersion", "/1.7"))[1:]) > (1, 7):
            out.append(f"extensions: {name} is based on PDF above 1.7")
    return out


def _signature_fields(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    pending = list((pdf.Root.get("/AcroForm") or {}).get("/Fields", []))
    while pending:
        field = pending.pop()
        pending += list(field.get("/Kids", []))
        if field.get("/FT") == "/Sig" and "/V" in field:
            yield field


def signature_rules(pdf: pikepdf.Pdf) -> list[str]:
    """The form holds signature fields only as PDF/A allows: no XFA, no NeedAppearances,
    PAdES/PKCS#7 detached sub-filters."""
    form = pdf.Root.get("/AcroForm")
    if form is None:
        return []
    out = []
    if "/XFA" in form:
        out.append("form: XFA is not permitted")
    if bool(form.get("/NeedAppearances", False)):
        out.append("form: /NeedAppearances is true")
    for field in _signature_fields(pdf):
        sub = str(field.V.get("/SubFilter"))
        if sub not in SIG_SUBFILTERS:
            out.append(f"signature {field.get('/T')}: sub-filter {sub} is not permitted")
    return out


def pikepdf_latest_revision(pdf: pikepdf.Pdf) -> list[str]:
    """pikepdf's rules on the latest revision, signature parts swapped for what it knows.

    The widget becomes a /Square annotation with the same rectangle, flags and appearance,
    so pikepdf still checks the stamp's appearance stream; the form and PAdES extension
    were checked by `signature_rules` and `extension_rules`. The open document is changed
    in memory only.
    """
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]
    ext = pdf.Root.get("/Extensions")
    if ext is not None:
        for name in list(ext.keys()):
            if name in ALLOWED_EXTENSIONS:
                del ext[name]
        if not ext.keys():
            del pdf.Root["/Extensions"]
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        page.obj.Annots = pikepdf.Array([_as_plain_annotation(pdf, a) for a in annots])
    report = pdfa.check(pdf, FLAVOUR)
    return [f"{f.rule}: {f.message}" for f in report.findings]


def _as_plain_annotation(pdf: pikepdf.Pdf, annot: pikepdf.Dictionary) -> pikepdf.Object:
    if annot.get("/Subtype") != "/Widget" or annot.get("/FT") != "/Sig":
        return annot
    plain = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square,
                               Rect=annot.Rect, F=annot.get("/F", 0))
    if "/AP" in annot:
        plain.AP = pikepdf.Dictionary({k: v for k, v in annot.AP.items()})
    return pdf.make_indirect(plain)
