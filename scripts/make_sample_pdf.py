"""Build a sample press-release PDF from a plain-text source file.

Example:
    .venv/bin/python scripts/make_sample_pdf.py
    .venv/bin/python scripts/make_sample_pdf.py scripts/sample_pdf_source.txt -o out.pdf

The source starts with `key: value` header lines (letterhead, date, title and
optionally output), then a blank line, then the body: paragraphs separated by
blank lines; lines starting with "- " are set as bullet items. The PDF uses the
core Helvetica font, so the text must be Latin-1.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "scripts" / "sample_pdf_source.txt"
HEADER_KEYS = {"letterhead", "date", "title", "output"}


def read_source(path: Path) -> tuple[dict[str, str], list[list[str]]]:
    """Split the source into its header fields and body blocks (lists of lines)."""
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    header: dict[str, str] = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if not sep or key.strip().lower() not in HEADER_KEYS:
            raise SystemExit(f"{path}: bad header line: {line!r}")
        header[key.strip().lower()] = value.strip()
    for key in ("letterhead", "date", "title"):
        if key not in header:
            raise SystemExit(f"{path}: header {key!r} is missing")
    blocks = [block.splitlines() for block in body.strip().split("\n\n") if block.strip()]
    for block in [[header["letterhead"], header["date"], header["title"]], *blocks]:
        for line in block:
            try:
                line.encode("latin-1")
            except UnicodeEncodeError as exc:
                message = f"{path}: not Latin-1, cannot be set in Helvetica: {line!r}"
                raise SystemExit(message) from exc
    return header, blocks


def build_pdf(header: dict[str, str], blocks: list[list[str]]) -> FPDF:
    """Lay out letterhead, date, title and body on A4 pages."""
    pdf = FPDF(format="A4")
    pdf.set_title(header["title"])
    pdf.set_author(header["letterhead"])
    try:  # stamp the release date, so the file does not change from build to build
        issued = datetime.strptime(header["date"], "%d %B %Y").replace(hour=9, tzinfo=UTC)
    except ValueError:
        issued = None
    if issued is not None:
        pdf.set_creation_date(issued)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(width, 6, header["letterhead"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(90, 90, 90)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.ln(5)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(width, 6, header["date"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(width, 7, header["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font("Helvetica", "", 11)
    for block in blocks:
        paragraph: list[str] = []
        for line in block:
            if line.startswith("- "):
                if paragraph:
                    pdf.multi_cell(width, 6, " ".join(paragraph), new_x="LMARGIN", new_y="NEXT")
                    paragraph = []
                pdf.set_x(pdf.l_margin + 6)
                pdf.multi_cell(width - 6, 6, "- " + line[2:].strip(), new_x="LMARGIN", new_y="NEXT")
            else:
                paragraph.append(line.strip())
        if paragraph:
            pdf.multi_cell(width, 6, " ".join(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return pdf


def main(argv: list[str] | None = None) -> None:
    """Read the source file and write the PDF."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="PDF to write (default: the source's 'output' header)",
    )
    args = parser.parse_args(argv)
    header, blocks = read_source(args.source)
    output = args.output or (ROOT / header["output"] if "output" in header else None)
    if output is None:
        raise SystemExit("no output path: give -o or an 'output:' header")
    output.parent.mkdir(parents=True, exist_ok=True)
    build_pdf(header, blocks).output(str(output))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
