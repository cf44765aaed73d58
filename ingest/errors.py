"""Failures an operator can act on, each said in Hindi and English, never as a traceback."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("फ़ाइल खाली है (0 बाइट)। स्कैन दोबारा करें।",
              "The file is empty (0 bytes). Scan the letter again."),
    "not_a_scan": ("यह स्कैन की हुई फ़ाइल नहीं है। केवल PDF, TIFF, JPEG या PNG डालें।",
                   "This is not a scanned file. Only PDF, TIFF, JPEG or PNG can be registered."),
    "truncated": ("फ़ाइल अधूरी या खराब है (पूरी नहीं लिखी गई)। स्कैन दोबारा करें।",
                  "The file is incomplete or damaged (it was not written completely). "
                  "Scan the letter again."),
    "encrypted": ("PDF पर पासवर्ड/ताला लगा है। बिना ताले की प्रति डालें।",
                  "The PDF is password-protected or encrypted. Save an unlocked copy and "
                  "put that in instead."),
    "no_pages": ("PDF में कोई पृष्ठ नहीं है।", "The PDF has no pages."),
    "too_many_pages": ("फ़ाइल में बहुत अधिक पृष्ठ हैं। इसे भागों में बाँटकर डालें।",
                       "The file has too many pages. Split it into smaller parts."),
    "too_large": ("चित्र बहुत बड़ा है। स्कैनर को 300 dpi पर रखकर दोबारा स्कैन करें।",
                  "The image is far too large. Set the scanner to 300 dpi and scan again."),
    "too_small": ("चित्र बहुत छोटा है, यह पूरा पृष्ठ नहीं लगता। पूरा पृष्ठ 300 dpi पर दोबारा स्कैन करें।",
                  "The picture is too small to be a letter page. Scan the whole page again "
                  "at 300 dpi."),
    "too_big_upload": ("फ़ाइल अपलोड की सीमा से बड़ी है।", "The file is larger than the upload limit."),
    "timeout": ("इस फ़ाइल को पढ़ने में बहुत देर लगी। फ़ाइल जाँचें या दोबारा स्कैन करें।",
                "Reading this file took too long. Check the file or scan it again."),
    "ocr_failed": ("पृष्ठ पढ़ा नहीं जा सका (OCR विफल)। व्यवस्थापक को बताएँ।",
                   "The page could not be read (OCR failed). Tell the system administrator."),
    "changed": ("फ़ाइल दर्ज करते समय बदल गई, या संग्रह में उसी नाम से दूसरी फ़ाइल है। फ़ाइल दोबारा "
                "डालें; फिर भी हो तो व्यवस्थापक को बताएँ।",
                "The file changed while it was being archived, or the archive holds other "
                "bytes under its name. Put the file in again; if this repeats, tell the "
                "system administrator (dakscan scrub)."),
    "poison": ("यह फ़ाइल पढ़ते समय कई बार प्रोग्राम रुक गया, इसलिए इसे अलग रखा गया है। फ़ाइल "
               "जाँचें या दोबारा स्कैन करें।",
               "Reading this file stopped the worker several times, so it was set aside. Check "
               "the file or scan it again."),
    "signing_key": ("कार्यालय की हस्ताक्षर कुंजी (DSC) नहीं खुली, इसलिए फ़ाइल दर्ज नहीं हुई। व्यवस्थापक "
                    "को बताएँ; मूल फ़ाइल सुरक्षित है।",
                    "The office signing key (DSC) could not be used, so the file was not "
                    "registered. Tell the system administrator (password, PIN or token); the "
                    "original file is kept safe."),
    "internal": ("फ़ाइल दर्ज नहीं हो सकी। व्यवस्थापक को बताएँ; मूल फ़ाइल सुरक्षित है।",
                 "The file could not be registered. Tell the system administrator; the "
                 "original file is kept safe."),
}


class InputError(Exception):
    """A file dakscan refuses, with a reason the desk can act on."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code if code in MESSAGES else "internal"
        self.detail = detail
        super().__init__(self.english)

    @property
    def hindi(self) -> str:
        return MESSAGES[self.code][0]

    @property
    def english(self) -> str:
        en = MESSAGES[self.code][1]
        return f"{en} ({self.detail})" if self.detail else en

    def to_dict(self) -> dict:
        return {"error": self.english, "error_hi": self.hindi, "error_code": self.code}

    def result(self) -> dict:
        """The `failed` result every entry point reports for this file."""
        return {"status": "failed", **self.to_dict()}
