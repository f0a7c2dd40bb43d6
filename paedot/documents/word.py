"""Small helpers for Word documents (python-docx): an A4 document in the house style, page numbers, form controls."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
NHS_TEXT = RGBColor(0x21, 0x2B, 0x32)
NHS_SECONDARY_TEXT = RGBColor(0x4C, 0x62, 0x72)
FONT = "Arial"
# Word draws its checkbox controls with a symbol font; MS Gothic is what Word itself uses.
CHECKBOX_FONT = "MS Gothic"
UNCHECKED = "\u2610"  # ☐
CHECKED = "\u2612"  # ☒
# Non-breaking spaces give an empty text control something to click on, and a line to write on when printed.
BLANK = "\u00a0"


def new_document(title: str) -> DocumentObject:
    """An empty A4 document with NHS-style fonts and headings, titled (in its properties) `title`."""
    document = Document()
    document.core_properties.title = title
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(1.8)

    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.font.color.rgb = NHS_TEXT
    _use_font_everywhere(normal.element, FONT)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 20), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = NHS_BLUE if name != "Title" else NHS_TEXT
        _use_font_everywhere(style.element, FONT)
        style.paragraph_format.keep_with_next = True
    # The default Title style draws a rule underneath; ours is plain.
    title_ppr = document.styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)
    return document


def to_bytes(document: DocumentObject) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_page_numbers(document: DocumentObject, text: str = "") -> None:
    """Put `text` and "Page N of M" in the footer of every page."""
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if text:
            _grey(paragraph.add_run(f"{text}    "), 9)
        _grey(paragraph.add_run("Page "), 9)
        _add_field(paragraph, "PAGE")
        _grey(paragraph.add_run(" of "), 9)
        _add_field(paragraph, "NUMPAGES")


def add_hint(paragraph: Paragraph, text: str) -> None:
    """Hint text: grey and smaller, as the NHS design system shows it."""
    _grey(paragraph.add_run(text), 9.5)


def add_text_control(paragraph: Paragraph, *, tag: str, title: str, multiline: bool = False, width: int = 24) -> None:
    """A plain-text content control that Word lets the reader type into, tagged so its answer can be found again.

    Until filled in it holds `width` blank characters (dotted underline unless multiline), to click on or write on.
    """
    sdt, properties, content = _sdt(tag=tag, title=title)
    properties.append(OxmlElement("w:showingPlcHdr"))
    text = OxmlElement("w:text")
    if multiline:
        text.set(qn("w:multiLine"), "1")
    properties.append(text)
    run = OxmlElement("w:r")
    run_properties = OxmlElement("w:rPr")
    if not multiline:
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "dotted")
        run_properties.append(underline)
    run.append(run_properties)
    run.append(_text(BLANK * width))
    content.append(run)
    paragraph._p.append(sdt)


def add_checkbox_control(paragraph: Paragraph, *, tag: str, title: str) -> None:
    """A checkbox content control (Word 2010 and later; older versions show a plain ☐)."""
    sdt, properties, content = _sdt(tag=tag, title=title)
    properties.insert(0, _symbol_font_rpr())
    checkbox = OxmlElement("w14:checkbox")
    checked = OxmlElement("w14:checked")
    checked.set(qn("w14:val"), "0")
    checkbox.append(checked)
    for state, symbol in (("w14:checkedState", CHECKED), ("w14:uncheckedState", UNCHECKED)):
        element = OxmlElement(state)
        element.set(qn("w14:val"), f"{ord(symbol):04X}")
        element.set(qn("w14:font"), CHECKBOX_FONT)
        checkbox.append(element)
    properties.append(checkbox)
    run = OxmlElement("w:r")
    run.append(_symbol_font_rpr())
    run.append(_text(UNCHECKED))
    content.append(run)
    paragraph._p.append(sdt)


def set_column_widths(table: Table, *widths: Length) -> None:
    """Fix a table's column widths (Word reads the cells' widths, LibreOffice the grid's)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def shade_cell(cell: _Cell, fill: str) -> None:
    """Fill a table cell with a colour given as hex, like "F0F4F5"."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def keep_row_on_one_page(row: _Row) -> None:
    row_properties = row._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))


def _sdt(*, tag: str, title: str):
    sdt = OxmlElement("w:sdt")
    properties = OxmlElement("w:sdtPr")
    alias = OxmlElement("w:alias")
    alias.set(qn("w:val"), title[:255])
    properties.append(alias)
    tag_element = OxmlElement("w:tag")
    tag_element.set(qn("w:val"), tag)
    properties.append(tag_element)
    content = OxmlElement("w:sdtContent")
    sdt.append(properties)
    sdt.append(content)
    return sdt, properties, content


def _symbol_font_rpr():
    run_properties = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:eastAsia", "w:hAnsi"):
        fonts.set(qn(attribute), CHECKBOX_FONT)
    fonts.set(qn("w:hint"), "eastAsia")
    run_properties.append(fonts)
    return run_properties


def _text(value: str):
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = value
    return text


def _add_field(paragraph: Paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    run_properties = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), str(NHS_SECONDARY_TEXT))
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "18")
    run_properties.extend([colour, size])
    run.append(run_properties)
    run.append(_text("1"))
    field.append(run)
    paragraph._p.append(field)


def _grey(run, size: float):
    run.font.size = Pt(size)
    run.font.color.rgb = NHS_SECONDARY_TEXT
    return run


def _use_font_everywhere(style_element, font: str) -> None:
    """Set the font for every script, and drop the theme fonts that would otherwise win over it."""
    run_properties = style_element.get_or_add_rPr()
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font)
