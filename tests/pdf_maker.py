"""Tiny PDFs written byte by byte for the PDF reader's tests (no PDF library needed to make them).

A page is a list of ``(x, y, size, text)`` lines (``text`` starting with "`" is set in Courier,
the rest in Helvetica). Pages with equal content share one content stream, so a 2,000-page file
stays small and quick to write.
"""

from __future__ import annotations

Line = tuple[float, float, float, str]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _stream(lines: list[Line]) -> bytes:
    ops = []
    for x, y, size, text in lines:
        font, words = ("/F2", text[1:]) if text.startswith("`") else ("/F1", text)
        ops.append(f"BT {font} {size} Tf {x} {y} Td ({_escape(words)}) Tj ET")
    return "\n".join(ops).encode("cp1252")  # WinAnsiEncoding, as the fonts declare


def make_pdf(pages: list[list[Line]]) -> bytes:
    """A valid PDF 1.4 file with the given pages (612×792 points, origin bottom left)."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
    ]
    streams: dict[bytes, int] = {}
    kids: list[int] = []
    for lines in pages:
        data = _stream(lines)
        if data not in streams:
            objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
            streams[data] = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % streams[data]
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
