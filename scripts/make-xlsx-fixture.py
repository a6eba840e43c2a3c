#!/usr/bin/env python3
"""Writes Tests/GongzhiIntakeTests/Fixtures/plan-sheet.xlsx: a small workbook as Excel saves one
(shared strings with a rich-text run and a phonetic run, an inline string, numbers, a date as a
serial number, an empty cell, an escaped ampersand, the first sheet named through workbook.xml and
its relationships), its parts deflated (dynamic and fixed Huffman blocks) and one stored. Python's
standard library only, so the fixture can be made again anywhere."""
import sys
import zipfile

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/GongzhiIntakeTests/Fixtures/plan-sheet.xlsx"
shared = ["目标领域", "任务", "牵头单位", "完成时限", "指标", "计量单位", "目标值",
          "全面小康成色（民生）", "回迁安置", "拱墅区住房和城乡建设局", "回迁户数", "户"]
si = "".join(f"<si><t>{s}</t></si>" for s in shared)
# A rich-text string of two runs and a phonetic guide that is not part of the text.
si += '<si><r><t>老年食堂</t></r><r><rPr><b/></rPr><t xml:space="preserve">建设 &amp; 运营</t></r><rPh sb="0" eb="1"><t>ろう</t></rPh></si>'
shared_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
              f' count="{len(shared) + 1}" uniqueCount="{len(shared) + 1}">{si}</sst>')
rows = [
    ('<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>'
     '<c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c>'),
    ('<c r="A2" t="s"><v>7</v></c><c r="B2" t="s"><v>8</v></c><c r="C2" t="s"><v>9</v></c><c r="D2" s="1"><v>44561</v></c>'
     '<c r="E2" t="s"><v>10</v></c><c r="F2" t="s"><v>11</v></c><c r="G2"><v>10000</v></c>'),
    # B3 is left out: an empty cell keeps its column. E3 is an inline string.
    ('<c r="A3" t="s"><v>7</v></c><c r="C3" t="s"><v>9</v></c><c r="D3" t="str"><v>2021-06-30</v></c>'
     '<c r="E3" t="inlineStr"><is><t>新建&lt;食堂&gt;</t></is></c>'),
    ('<c r="A4" t="s"><v>7</v></c><c r="B4" t="s"><v>12</v></c><c r="C4" t="s"><v>9</v></c><c r="D4"><v>44377</v></c>'),
]
sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
         ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><cols><col min="1" max="7" width="20"/></cols>'
         '<sheetData>' + "".join(f'<row r="{i + 1}">{r}</row>' for i, r in enumerate(rows)) + '</sheetData></worksheet>')
workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="重点工作" sheetId="1" r:id="rId3"/><sheet name="说明" sheetId="2" r:id="rId1"/></sheets></workbook>')
rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
        '</Relationships>')
notes = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>this sheet is not the first</t></is></c></row></sheetData></worksheet>')
types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="xml" ContentType="application/xml"/></Types>')
with zipfile.ZipFile(out, "w") as z:
    z.writestr("[Content_Types].xml", types, compress_type=zipfile.ZIP_STORED)
    z.writestr("xl/workbook.xml", workbook, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("xl/_rels/workbook.xml.rels", rels, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("xl/sharedStrings.xml", shared_xml, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    z.writestr("xl/worksheets/sheet1.xml", notes, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    z.writestr("xl/worksheets/sheet2.xml", sheet, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
print(out)
