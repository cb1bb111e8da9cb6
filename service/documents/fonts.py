"""The PDF's font: a serif TrueType face with every Vietnamese glyph, embedded (as a subset) in
each PDF so the file reads the same everywhere.

Decree 30/2020/NĐ-CP asks for Times New Roman, which cannot be shipped. The DOCX names Times New
Roman (Word in Vietnam has it); the PDF embeds **IBM Plex Serif** (SIL OFL) from the pinned PyPI
package ``fontpkg-ibm-plex-serif``, so a fresh machine has it after ``pip install``. Where that
package is missing, DejaVu Serif from the system (Debian ``fonts-dejavu-core``) is used instead;
with neither, rendering fails with :class:`FontMissing`, naming both.

The face used is part of what a PDF's bytes depend on, so :func:`pdf_font` reports it and the
service records it next to the template versions.
"""

from __future__ import annotations

import functools
import importlib.metadata
import threading
from dataclasses import dataclass
from pathlib import Path

FAMILY = "TdktSerif"
STYLES = ("regular", "bold", "italic", "bold_italic")

_PACKAGE = "fontpkg-ibm-plex-serif"
_PLEX_FILES = {
    "regular": "IBMPlexSerif-Regular.ttf",
    "bold": "IBMPlexSerif-Bold.ttf",
    "italic": "IBMPlexSerif-Italic.ttf",
    "bold_italic": "IBMPlexSerif-BoldItalic.ttf",
}
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_DEJAVU_FILES = {
    "regular": "DejaVuSerif.ttf",
    "bold": "DejaVuSerif-Bold.ttf",
    "italic": "DejaVuSerif-Italic.ttf",
    "bold_italic": "DejaVuSerif-BoldItalic.ttf",
}


class FontMissing(RuntimeError):
    """No TrueType font with Vietnamese glyphs was found for the PDF."""


@dataclass(frozen=True)
class FontSet:
    label: str  # e.g. "IBM Plex Serif (fontpkg-ibm-plex-serif 2.6)": recorded with the output
    files: dict[str, Path]

    def face(self, style: str) -> str:
        """The reportlab font name registered for ``style``."""
        return FAMILY if style == "regular" else f"{FAMILY}-{style}"


def _plex() -> FontSet | None:
    try:
        import fontpkg_ibm_plex_serif  # type: ignore[import-not-found]
    except ImportError:
        return None
    folder = Path(fontpkg_ibm_plex_serif.ROOT) / "files"
    files = {style: folder / name for style, name in _PLEX_FILES.items()}
    if not all(path.is_file() for path in files.values()):
        return None
    version = importlib.metadata.version(_PACKAGE)
    return FontSet(f"IBM Plex Serif ({_PACKAGE} {version})", files)


def _dejavu() -> FontSet | None:
    regular = DEJAVU_DIR / _DEJAVU_FILES["regular"]
    if not regular.is_file():
        return None
    # fonts-dejavu-core has no italics (fonts-dejavu-extra has them): an upright face stands in.
    stand_ins = {"regular": (), "bold": ("regular",), "italic": ("regular",), "bold_italic": ("bold", "regular")}
    files = {}
    for style, name in _DEJAVU_FILES.items():
        candidates = [DEJAVU_DIR / name] + [DEJAVU_DIR / _DEJAVU_FILES[s] for s in stand_ins[style]]
        files[style] = next(path for path in candidates if path.is_file())
    return FontSet("DejaVu Serif (system, " + str(DEJAVU_DIR) + ")", files)


@functools.lru_cache(maxsize=1)
def pdf_font() -> FontSet:
    """The font set for PDFs: IBM Plex Serif from its package, else DejaVu Serif from the system."""
    found = _plex() or _dejavu()
    if found is None:
        raise FontMissing(
            "Không tìm thấy phông chữ có đủ dấu tiếng Việt để tạo tệp PDF: cần gói "
            f"{_PACKAGE} (pip install {_PACKAGE}) hoặc {DEJAVU_DIR / _DEJAVU_FILES['regular']} "
            "(apt-get install fonts-dejavu-core). / No TrueType font with Vietnamese glyphs for the "
            f"PDF: install the Python package {_PACKAGE} (IBM Plex Serif, pinned in pyproject.toml) "
            f"or DejaVu Serif at {DEJAVU_DIR / _DEJAVU_FILES['regular']} (Debian package fonts-dejavu-core)."
        )
    return found


_lock = threading.Lock()
_registered: set[str] = set()


def register() -> FontSet:
    """Register the four faces with reportlab once per process (as one family, so ``<b>`` and
    ``<i>`` in paragraphs pick the right face) and return the font set."""
    fonts = pdf_font()
    with _lock:
        if fonts.label in _registered:
            return fonts
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for style in STYLES:
            pdfmetrics.registerFont(TTFont(fonts.face(style), str(fonts.files[style])))
        for bold, italic, style in ((0, 0, "regular"), (1, 0, "bold"), (0, 1, "italic"), (1, 1, "bold_italic")):
            addMapping(FAMILY, bold, italic, fonts.face(style))
        _registered.add(fonts.label)
    return fonts
