"""dakscan.ocr."""
