#include "indicators/anonymise.h"

#include <algorithm>
#include <array>

#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace ow::indicators {
namespace {

using U32 = std::u32string;

// The most common surnames (more than nine in ten people in China carry one) and the
// compound ones still met.
constexpr std::u32string_view kSurnames =
    U"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    U"苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    U"龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    U"左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    U"屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    U"闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";
constexpr std::array<std::u32string_view, 16> kCompound = {
    U"欧阳", U"司马", U"诸葛", U"上官", U"东方", U"皇甫", U"令狐", U"尉迟",
    U"公孙", U"慕容", U"夏侯", U"长孙", U"宇文", U"司徒", U"端木", U"西门"};
// Forms of address that follow a name.
constexpr std::array<std::u32string_view, 20> kTitles = {
    U"先生", U"女士", U"小姐", U"老师", U"师傅", U"同志", U"主任", U"科长", U"处长", U"局长",
    U"经理", U"阿姨", U"大爷", U"大姐", U"大哥", U"警官", U"医生", U"律师", U"书记", U"所长"};
// Words that introduce a name.
constexpr std::array<std::u32string_view, 12> kIntroducers = {
    U"我叫",     U"我是",   U"名叫",   U"叫做",     U"姓名",   U"本人",
    U"工作人员", U"办事员", U"经办人", U"窗口人员", U"受理人", U"联系人"};
// Characters that end a name after an introducer (a name is at most three characters).
constexpr std::u32string_view kNameStops = U"的了在说来去是和给把被对也都就不很太态办";

bool IsHan(char32_t c) { return c >= 0x4E00 && c <= 0x9FFF; }
int DigitOf(char32_t c) {
  if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
  if (c >= 0xFF10 && c <= 0xFF19) return static_cast<int>(c - 0xFF10);
  return -1;
}
bool IsAsciiAlnum(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9');
}
bool IsUpper(char32_t c) { return c >= U'A' && c <= U'Z'; }
bool IsLower(char32_t c) { return c >= U'a' && c <= U'z'; }
bool StartsAt(const U32& s, size_t i, std::u32string_view w) {
  return s.size() >= i + w.size() && std::u32string_view(s).substr(i, w.size()) == w;
}
void Put(U32& out, std::u32string_view w) { out.append(w.begin(), w.end()); }

// The length of the surname at s[i] (0: none).
size_t SurnameAt(const U32& s, size_t i) {
  for (auto c : kCompound)
    if (StartsAt(s, i, c)) return c.size();
  return i < s.size() && kSurnames.find(s[i]) != std::u32string_view::npos ? 1 : 0;
}

// E-mail addresses: local@domain.tld, ASCII.
U32 MaskEmails(const U32& s) {
  U32 out;
  size_t i = 0;
  auto local = [](char32_t c) {
    return IsAsciiAlnum(c) || c == U'.' || c == U'_' || c == U'%' || c == U'+' || c == U'-';
  };
  while (i < s.size()) {
    if (s[i] == U'@') {
      size_t b = i;
      while (b > 0 && local(s[b - 1]) && out.size() > 0 && local(out.back())) {
        --b;
        out.pop_back();
      }
      size_t e = i + 1, dot = 0;
      while (e < s.size() && (IsAsciiAlnum(s[e]) || s[e] == U'-' || s[e] == U'.')) {
        if (s[e] == U'.') dot = e;
        ++e;
      }
      if (b < i && dot > i + 1 && e - dot > 2) {
        Put(out, U"[email]");
        i = e;
        continue;
      }
      // Not an address: put back what was taken.
      out.append(s.begin() + static_cast<std::ptrdiff_t>(b),
                 s.begin() + static_cast<std::ptrdiff_t>(i));
    }
    out.push_back(s[i++]);
  }
  return out;
}

// Runs of digits with single spaces or hyphens between them and an optional trailing X.
U32 MaskNumbers(const U32& s) {
  U32 out;
  size_t i = 0;
  while (i < s.size()) {
    if (DigitOf(s[i]) < 0) {
      out.push_back(s[i++]);
      continue;
    }
    size_t e = i, digits = 0;
    char32_t first = s[i];
    while (e < s.size()) {
      if (DigitOf(s[e]) >= 0) {
        ++digits;
        ++e;
      } else if ((s[e] == U' ' || s[e] == U'-') && e + 1 < s.size() && DigitOf(s[e + 1]) >= 0) {
        ++e;
      } else {
        break;
      }
    }
    bool check_x = e < s.size() && (s[e] == U'X' || s[e] == U'x') &&
                   (e + 1 == s.size() || !IsAsciiAlnum(s[e + 1]));
    if (digits < 7) {
      out.append(s.begin() + static_cast<std::ptrdiff_t>(i),
                 s.begin() + static_cast<std::ptrdiff_t>(e));
      i = e;
      continue;
    }
    if (check_x) ++e;
    if (digits == 15 || digits == 18 || (digits == 17 && check_x))
      Put(out, U"[id]");
    else if (digits == 11 && DigitOf(first) == 1)
      Put(out, U"[phone]");
    else
      Put(out, U"[number]");
    i = e;
  }
  return out;
}

// The length of a surname, up to two more characters and a form of address at s[i], up to
// the form of address (0: none).
size_t NameBeforeTitle(const U32& s, size_t i) {
  size_t sur = SurnameAt(s, i);
  if (sur == 0) return 0;
  for (size_t given = 0; given <= 2; ++given) {
    size_t t = i + sur + given;
    if (given > 0 && !(t - 1 < s.size() && IsHan(s[t - 1]))) return 0;
    for (auto title : kTitles)
      if (StartsAt(s, t, title)) return t - i;
  }
  return 0;
}

U32 MaskChineseNames(const U32& s) {
  U32 out;
  size_t i = 0;
  while (i < s.size()) {
    // An introducer, then a surname and one or two more characters.
    bool done = false;
    for (auto w : kIntroducers) {
      if (!StartsAt(s, i, w)) continue;
      size_t j = i + w.size();
      size_t lead = j;
      while (j < s.size() && (s[j] == U'：' || s[j] == U':' || s[j] == U' ' || s[j] == U'是')) ++j;
      size_t sur = SurnameAt(s, j);
      if (sur == 0) break;
      if (NameBeforeTitle(s, j)) {  // 工作人员王先生: the form of address decides
        out.append(s.begin() + static_cast<std::ptrdiff_t>(i),
                   s.begin() + static_cast<std::ptrdiff_t>(j));
        i = j;
        done = true;
        break;
      }
      size_t e = j + sur, given = 0;
      while (e < s.size() && given < 2 && IsHan(s[e]) &&
             kNameStops.find(s[e]) == std::u32string_view::npos) {
        ++e;
        ++given;
      }
      if (given == 0) break;
      out.append(s.begin() + static_cast<std::ptrdiff_t>(i),
                 s.begin() + static_cast<std::ptrdiff_t>(lead));
      out.append(s.begin() + static_cast<std::ptrdiff_t>(lead),
                 s.begin() + static_cast<std::ptrdiff_t>(j));
      Put(out, U"[name]");
      i = e;
      done = true;
      break;
    }
    if (done) continue;
    // A surname, up to two more characters, then a form of address.
    if (size_t n = NameBeforeTitle(s, i)) {
      Put(out, U"[name]");
      i += n;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

U32 MaskEnglishNames(const U32& s) {
  static constexpr std::array<std::u32string_view, 7> kLeads = {
      U"Mr", U"Mrs", U"Ms", U"Miss", U"Dr", U"my name is", U"My name is"};
  U32 out;
  size_t i = 0;
  while (i < s.size()) {
    size_t matched = 0;
    for (auto lead : kLeads) {
      if (!StartsAt(s, i, lead) || (i > 0 && IsAsciiAlnum(s[i - 1]))) continue;
      size_t j = i + lead.size();
      if (j < s.size() && s[j] == U'.') ++j;
      if (j >= s.size() || s[j] != U' ') continue;
      while (j < s.size() && s[j] == U' ') ++j;
      // One or two capitalised words.
      size_t e = j, words = 0;
      while (words < 2 && e < s.size() && IsUpper(s[e])) {
        size_t w = e + 1;
        while (w < s.size() && (IsLower(s[w]) || s[w] == U'\'' || s[w] == U'-')) ++w;
        if (w == e + 1) break;
        ++words;
        e = w;
        if (e + 1 < s.size() && s[e] == U' ' && IsUpper(s[e + 1])) ++e;
      }
      if (words == 0) continue;
      while (e > j && s[e - 1] == U' ') --e;
      out.append(s.begin() + static_cast<std::ptrdiff_t>(i),
                 s.begin() + static_cast<std::ptrdiff_t>(j));
      Put(out, U"[name]");
      matched = e - i;
      break;
    }
    if (matched) {
      i += matched;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

}  // namespace

std::string MaskText(std::string_view text) {
  U32 s;
  for (size_t i = 0; i < text.size();) s.push_back(text::DecodeUtf8(text, i).value_or(0xFFFD));
  s = MaskEnglishNames(MaskChineseNames(MaskNumbers(MaskEmails(s))));
  std::string out;
  for (char32_t c : s) text::AppendUtf8(out, c);
  return out;
}

std::string NewCaseKeySecret() { return crypto::RandomBytes(32); }

std::string CaseKey(std::string_view secret, std::string_view case_no) {
  return "c" + crypto::HexEncode(crypto::HmacSha256(secret, case_no)).substr(0, 16);
}

}  // namespace ow::indicators
