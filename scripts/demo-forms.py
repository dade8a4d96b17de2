#!/usr/bin/env python3
"""Writes the blank forms and filled-in samples the demo catalog links to.

    python3 scripts/demo-forms.py           write them
    python3 scripts/demo-forms.py --check   exit 1 when a file is missing or differs

Every material of demo/catalog.json with a blank_form_url or sample_url under /files/ gets a
Word document (.docx: WordprocessingML in a zip) at web/public/<url>, which vite copies into
web/dist, where the server serves /files/... from. A blank form is titled with the item and
the material and holds a table of the application's fields (the titles of the item's
form_schema) with empty cells to fill in by hand; a sample is the same table filled in with
made-up values (below, one set per item), marked as a sample. The articles of association
sample is a short set of articles built from the company sample's values.

Python's standard library only. The output is reproducible (fixed zip times, sorted entries),
so the committed files change only when the catalog or this script does.
"""
import json
import sys
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / 'demo' / 'catalog.json'
OUT = ROOT / 'web' / 'public'

# Made-up values for the samples, per item code; every field of the item's form is given.
# The ID numbers are the demo residents' (valid check digits, not real people).
ZHANG = ('张三', '330102199003073017')
LI = ('李四', '330106198506124526')
SAMPLES = {
    '3301-MZ-JHDJ': {
        'man_name': ZHANG[0], 'man_id': ZHANG[1], 'woman_name': LI[0], 'woman_id': LI[1],
        'date': '2026-12-18', 'office': '杭州市上城区婚姻登记处', 'phone': '13800000001',
    },
    '3301-SCJG-GTDJ': {
        'business_name': '上城区张三百货店', 'operator_name': ZHANG[0], 'operator_id': ZHANG[1],
        'form': '个人经营', 'address': '杭州市上城区解放路1号', 'scope': '日用百货零售',
        'capital': 5, 'phone': '13800000001',
    },
    '3301-SCJG-QYSL': {
        'company_name': '杭州上城示例科技有限公司', 'address': '杭州市上城区解放路1号3楼301室',
        'legal_rep': ZHANG[0], 'legal_rep_id': ZHANG[1], 'phone': '13800000001',
        'kind': '有限责任公司', 'registered_capital': 100,
        'scope': '一般项目：技术服务、技术开发、技术咨询；软件开发；信息系统集成服务。',
        'shareholders': [
            {'name': ZHANG[0], 'id': ZHANG[1], 'amount': 60},
            {'name': LI[0], 'id': LI[1], 'amount': 40},
        ],
        'with_seal': True, 'with_tax': True,
    },
    '3301-SCJG-SPJY': {
        'company_name': '杭州上城示例餐饮有限公司', 'address': '杭州市上城区河坊街9号一楼',
        'legal_rep': ZHANG[0], 'legal_rep_id': ZHANG[1], 'phone': '13800000001',
        'uscc': None,  # filled in below with a valid check character
        'subject': '餐饮服务经营者', 'items': ['热食类食品制售', '自制饮品制售'],
        'area': 80, 'safety_manager': LI[0],
    },
    '3301-RS-GSRD': {
        'employee_name': ZHANG[0], 'employee_id': ZHANG[1],
        'company_name': '杭州上城示例科技有限公司', 'accident_date': '2026-11-20',
        'accident_place': '公司仓库（杭州市上城区解放路1号）',
        'description': '2026年11月20日上午10时许，张三在仓库搬运货物时被滑落的货箱砸伤左脚，'
                       '同事随即送至杭州市第一人民医院救治，诊断为左足第二跖骨骨折。',
        'applicant': '用人单位', 'phone': '13800000001',
    },
    '3301-GH-BDCZYDJ': {
        'property_address': '杭州市上城区望江路18号2幢1单元502室',
        'cert_no': '浙（2019）杭州市不动产权第0123456号',
        'seller_name': LI[0], 'seller_id': LI[1], 'buyer_name': ZHANG[0], 'buyer_id': ZHANG[1],
        'reason': '买卖', 'price': 320, 'phone': '13800000001',
    },
}


def uscc(prefix17):
    """A unified social credit code (GB 32100-2015) with its check character."""
    chars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(chars.index(c) * w for c, w in zip(prefix17, weights))
    return prefix17 + chars[(31 - total % 31) % 31]


SAMPLES['3301-SCJG-SPJY']['uscc'] = uscc('91330102MA2K8E7Q3')

# --- values as printed -----------------------------------------------------------------------

BOX, TICKED = '□', '☑'
SPACE = '\u3000'


def chinese_date(iso):
    d = date.fromisoformat(iso)
    return f'{d.year}年{d.month}月{d.day}日'


def printed(prop, value):
    """A field's value as the form prints it; value None: the blank form's cell."""
    kind = prop.get('type')
    if kind == 'boolean':
        return (TICKED if value is True else BOX) + '是' + SPACE + (TICKED if value is False else BOX) + '否'
    if 'enum' in prop:
        return SPACE.join((TICKED if value == o else BOX) + o for o in prop['enum'])
    if kind == 'array' and 'enum' in prop.get('items', {}):
        chosen = value or []
        return SPACE.join((TICKED if o in chosen else BOX) + o for o in prop['items']['enum'])
    if value is None:
        return SPACE * 4 + '年' + SPACE * 2 + '月' + SPACE * 2 + '日' if prop.get('format') == 'date' else ''
    if prop.get('format') == 'date':
        return chinese_date(value)
    return str(value)


def is_object_list(prop):
    return prop.get('type') == 'array' and prop.get('items', {}).get('type') == 'object'


# --- WordprocessingML ------------------------------------------------------------------------

W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
TWIPS_WIDTH = 9026  # A4 (11906) less two 1440 margins


def run(text, bold=False, size=None):
    props = ('<w:b/>' if bold else '') + (f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else '')
    return f'<w:r>{"<w:rPr>" + props + "</w:rPr>" if props else ""}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(text='', style=None, bold=False, size=None, align=None):
    props = (f'<w:pStyle w:val="{style}"/>' if style else '') + (f'<w:jc w:val="{align}"/>' if align else '')
    return f'<w:p>{"<w:pPr>" + props + "</w:pPr>" if props else ""}{run(text, bold, size) if text else ""}</w:p>'


def table(rows, widths, header=False, heights=None):
    """rows: lists of cell texts; widths in twips; the first row repeats as a header when asked."""
    grid = ''.join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = ''.join(f'<w:{side} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
                      for side in ('top', 'left', 'bottom', 'right', 'insideH', 'insideV'))
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
           '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="100" w:type="dxa"/><w:right w:w="100" w:type="dxa"/>'
           f'</w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>']
    for i, cells in enumerate(rows):
        tr = []
        if header and i == 0:
            tr.append('<w:tblHeader/>')
        h = (heights or {}).get(i)
        if h:
            tr.append(f'<w:trHeight w:val="{h}" w:hRule="atLeast"/>')
        out.append('<w:tr>' + (f'<w:trPr>{"".join(tr)}</w:trPr>' if tr else ''))
        for j, text in enumerate(cells):
            bold = (header and i == 0) or (not header and j == 0)
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[j]}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                       f'{para(text, bold=bold)}</w:tc>')
        out.append('</w:tr>')
    out.append('</w:tbl>')
    return ''.join(out)


def document_xml(body):
    sect = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
            '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/>'
            '</w:sectPr>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}"><w:body>{"".join(body)}{sect}</w:body></w:document>')


STYLES = f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:docDefaults>
<w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/><w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="120"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr><w:rPr><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="444444"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
</w:styles>
'''

CONTENT_TYPES = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>
'''

RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>
'''

DOCUMENT_RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>
'''


def core_xml(title, subject):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:title>{escape(title)}</dc:title><dc:subject>{escape(subject)}</dc:subject>'
            '<dc:creator>OneWindow demo</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>\n')


def docx_bytes(title, subject, body):
    """The .docx of `body` (WordprocessingML fragments), reproducibly zipped."""
    import io
    parts = [
        ('[Content_Types].xml', CONTENT_TYPES),
        ('_rels/.rels', RELS),
        ('docProps/core.xml', core_xml(title, subject)),
        ('word/_rels/document.xml.rels', DOCUMENT_RELS),
        ('word/document.xml', document_xml(body)),
        ('word/styles.xml', STYLES),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode('utf-8'))
    return buf.getvalue()


# --- the documents ---------------------------------------------------------------------------

TALL = {'scope', 'description', 'reason'}  # fields answered in sentences get room to write


def form_body(item, material, values):
    """The application's fields as a table; values None: blank cells to fill in."""
    schema = item['form_schema']
    props = schema.get('properties', {})
    required = set(schema.get('required', []))
    sample = values is not None
    body = [
        para(item['name'], style='Title'),
        para(material['name'] + ('（样表）' if sample else ''), style='Subtitle'),
        para(f'{item.get("name_en", "")} · {material.get("name_en", "")}' + (' (sample)' if sample else ''),
             style='Note', align='center'),
        para(f'事项编码：{item["code"]}', style='Note'),
    ]
    if sample:
        body.append(para('填写示例：本样表只示范填写方法，其中的人名、证件号码、单位和地址均为虚构。', style='Note', bold=True))
    else:
        body.append(para('请用黑色钢笔或签字笔填写，字迹清楚；标 * 的为必填项。选择项请在 □ 内打 √。', style='Note'))
    rows, heights, lists = [['填写项目', '内容']], {}, []
    for key, prop in props.items():
        label = prop.get('title', key) + (' *' if key in required else '')
        if is_object_list(prop):
            rows.append([label, '见下表'])
            lists.append((key, prop, label))
            continue
        if key in TALL:
            heights[len(rows)] = 1700
        elif not sample:
            heights[len(rows)] = 567
        rows.append([label, printed(prop, values.get(key) if sample else None)])
    body.append(table(rows, [3000, TWIPS_WIDTH - 3000], header=True, heights=heights))
    for key, prop, label in lists:
        cols = prop['items'].get('properties', {})
        sub = [[c.get('title', k) for k, c in cols.items()]]
        entries = values.get(key, []) if sample else [{}] * 4
        for e in entries:
            sub.append([printed(c, e.get(k)) if sample else '' for k, c in cols.items()])
        width = TWIPS_WIDTH // len(cols)
        body.append(para(label, bold=True))
        body.append(table(sub, [width] * len(cols), header=True,
                          heights=None if sample else {i: 567 for i in range(1, len(sub))}))
    body.append(para())
    body.append(para('申请人承诺：以上填写内容及所附材料真实、合法、有效，如有不实，愿承担相应法律责任。'))
    # Signatures are handwritten, in the sample too.
    when = chinese_date('2026-12-08') if sample else printed({'format': 'date'}, None)
    body.append(para(f'申请人（签字或盖章）：{SPACE * 8}{SPACE * 4}日期：{when}'))
    return body


def articles_body(item, material, values):
    """A short company's articles of association from the company sample's values."""
    holders = values['shareholders']
    body = [
        para(f'{values["company_name"]}章程', style='Title'),
        para(f'{material["name"]}（样本）', style='Subtitle'),
        para(f'{item.get("name_en", "")} · {material.get("name_en", "")} (sample)', style='Note', align='center'),
        para('填写示例：本样本只示范章程的基本内容，其中的人名、证件号码、公司和地址均为虚构；'
             '请按本公司的实际情况依法制定章程。', style='Note', bold=True),
        para('第一章　总则', bold=True),
        para('第一条　为规范公司的组织和行为，根据《中华人民共和国公司法》，制定本章程。'),
        para(f'第二条　公司名称：{values["company_name"]}。'),
        para(f'第三条　公司住所：{values["address"]}。'),
        para(f'第四条　公司类型：{values["kind"]}。'),
        para('第二章　经营范围', bold=True),
        para(f'第五条　公司的经营范围：{values["scope"]}'),
        para('第三章　注册资本和股东出资', bold=True),
        para(f'第六条　公司注册资本为人民币{values["registered_capital"]}万元。'),
        para('第七条　股东的姓名或名称、认缴出资额：'),
        table([['股东名称或姓名', '证件号码', '认缴出资额（万元）']] +
              [[h['name'], h['id'], str(h['amount'])] for h in holders],
              [TWIPS_WIDTH // 3] * 3, header=True),
        para('第四章　组织机构', bold=True),
        para('第八条　股东会由全体股东组成，是公司的权力机构，依照《中华人民共和国公司法》行使职权。'),
        para(f'第九条　公司不设董事会，设董事一名，由{values["legal_rep"]}担任，并担任公司法定代表人。'),
        para('第十条　公司不设监事会，设监事一名，由股东会选举产生。'),
        para('第五章　附则', bold=True),
        para('第十一条　本章程自全体股东签字或盖章之日起生效。'),
        para(),
        para('全体股东签字或盖章：' + SPACE * 8 + SPACE * 4 + '日期：' + chinese_date('2026-12-08')),
    ]
    return body


# Samples that are not the item's application form, by their file's name.
OTHER_SAMPLES = {'3301-SCJG-QYSL-ZC': articles_body}


def documents():
    """(path under web/public, bytes) of every file the catalog links to under /files/."""
    catalog = json.loads(CATALOG.read_text(encoding='utf-8'))
    out = {}
    for entry in catalog['items']:
        item = entry['item']
        for m in item.get('materials', []):
            for kind in ('blank_form_url', 'sample_url'):
                url = m.get(kind) or ''
                if not url:
                    continue
                if not url.startswith('/files/') or not url.endswith('.docx') or '..' in url:
                    sys.exit(f'demo-forms: {item["code"]} {m["name"]}: {kind} {url} is not a /files/... .docx path')
                name = Path(url).stem
                title = f'{item["name"]} · {m["name"]}'
                if kind == 'blank_form_url':
                    body = form_body(item, m, None)
                elif name in OTHER_SAMPLES:
                    body = OTHER_SAMPLES[name](item, m, SAMPLES[item['code']])
                else:
                    values = SAMPLES.get(item['code'])
                    props = item['form_schema'].get('properties', {})
                    if values is None or set(values) != set(props):
                        sys.exit(f'demo-forms: the sample of {item["code"]} needs a value for exactly each field: '
                                 f'{sorted(props)}')
                    body = form_body(item, m, values)
                    title += '（样表）'
                out[url.lstrip('/')] = docx_bytes(title, item['code'], body)
    return out


def main():
    check = '--check' in sys.argv[1:]
    stale = []
    for rel, data in sorted(documents().items()):
        path = OUT / rel
        if check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f'demo-forms: wrote web/public/{rel}')
    if stale:
        sys.exit('demo-forms: out of date (run python3 scripts/demo-forms.py): ' + ', '.join(stale))


if __name__ == '__main__':
    main()
