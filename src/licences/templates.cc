// The texts of case documents: per kind and item, with the platform's built-in texts
// where none is stored, and the {placeholders} filled when a document is issued.
//
// The built-in notices of non-acceptance and denial state the applicant's right to
// administrative reconsideration (within sixty days, Administrative Reconsideration Law
// art. 20) or litigation (within six months, Administrative Litigation Law art. 46), as the
// Administrative Licensing Law (art. 32, 38) requires; a stored template of those kinds
// must state it too (`remedy` is required for them).
#include <algorithm>
#include <array>

#include "authz/authz.h"
#include "cases/model.h"
#include "catalog/item.h"
#include "core/text.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

constexpr std::array kPlaceholders = {
    Placeholder{"applicant", "申请人姓名或名称"},
    Placeholder{"applicant_id", "申请人身份证件号码（部分隐去）或统一社会信用代码"},
    Placeholder{"item", "申请事项名称"},
    Placeholder{"tracking_no", "办件编号"},
    Placeholder{"submitted_on", "申请日期"},
    Placeholder{"accepted_on", "受理日期"},
    Placeholder{"decided_on", "文书日期（受理或决定之日）"},
    Placeholder{"promised_days", "承诺办理时限（工作日数）"},
    Placeholder{"deadline", "承诺办结日期"},
    Placeholder{"department", "办理部门"},
    Placeholder{"reasons", "不予受理、不予许可的理由（经办人员填写的意见）"},
    Placeholder{"licence", "颁发的证照编号（未颁发证照时，含它的段落不印出）"},
    Placeholder{"reconsideration", "行政复议机关（默认：办理地的人民政府）"},
    Placeholder{"court", "管辖的人民法院（默认：办理地的人民法院）"},
};

constexpr std::array kKinds = {cases::kAcceptanceNotice, cases::kNonAcceptanceNotice,
                               cases::kApprovalDecision, cases::kDenialDecision};

constexpr const char* kRemedy =
    "如不服本{document}，可以自收到本{document}之日起六十日内向{reconsideration}申请行政复议，"
    "也可以自收到本{document}之日起六个月内依法向{court}提起行政诉讼。";

std::string Remedy(const char* document) {
  return text::ReplaceAll(kRemedy, "{document}", document);
}

bool IsKind(std::string_view kind) {
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

bool Known(std::string_view name) {
  return std::any_of(kPlaceholders.begin(), kPlaceholders.end(),
                     [&](const Placeholder& p) { return p.name == name; });
}

// The names of the {placeholders} in `s`, in order; nullopt for a brace left open.
std::optional<std::vector<std::string>> PlaceholdersIn(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = s.find('{', i)) != std::string::npos) {
    size_t end = s.find('}', i);
    if (end == std::string::npos) return std::nullopt;
    out.push_back(s.substr(i + 1, end - i - 1));
    i = end + 1;
  }
  return out;
}

void CheckText(Validator& v, const std::string& field, const std::string& s, size_t max_bytes,
               bool required) {
  if (s.empty()) {
    if (required) v.Add(field, "is required");
    return;
  }
  if (s.size() > max_bytes) v.Add(field, "at most " + std::to_string(max_bytes) + " bytes");
  if (!text::IsValidUtf8(s)) return v.Add(field, "must be UTF-8 text");
  auto names = PlaceholdersIn(s);
  if (!names) return v.Add(field, "has a '{' without its '}'");
  for (const auto& n : *names) {
    if (!Known(n)) return v.Add(field, "names the unknown placeholder {" + n + "}");
  }
  for (unsigned char ch : s) {
    if (ch < 0x20 && ch != '\n') return v.Add(field, "has a control character");
  }
}

}  // namespace

std::span<const Placeholder> DocumentPlaceholders() { return kPlaceholders; }

namespace internal {

DocumentTemplate BuiltinTemplate(const std::string& kind, const std::string& item_type) {
  bool licensing = item_type == "administrative_licensing";
  DocumentTemplate t;
  t.kind = kind;
  t.builtin = true;
  if (kind == cases::kApprovalDecision || kind == cases::kDenialDecision)
    t.applies_to = licensing ? "licensing" : "other";
  const std::string applied =
      "你（单位）于{submitted_on}提出的{item}申请（办件编号：{tracking_no}）";
  if (kind == cases::kAcceptanceNotice) {
    t.title = "受理通知书";
    t.body = applied +
             "，经审查，申请材料齐全、符合法定形式，本机关决定予以受理。\n"
             "本机关将自受理之日起{promised_days}个工作日内（{deadline}前）作出决定，"
             "依法需要听证、检验、检测、鉴定、专家评审的时间不计算在内。"
             "你可以凭办件编号在政务服务平台查询办理进度。";
  } else if (kind == cases::kNonAcceptanceNotice) {
    t.title = "不予受理通知书";
    t.body = applied + "，经审查，本机关决定不予受理。理由如下：\n{reasons}";
    t.remedy = Remedy("通知书");
  } else if (kind == cases::kApprovalDecision) {
    t.title = licensing ? "准予行政许可决定书" : "准予办理决定书";
    t.body =
        applied + "，本机关已于{accepted_on}受理。经审查，申请符合法定条件、标准，" +
        (licensing ? "根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。"
                   : "决定准予办理。") +
        "\n颁发的证照编号为{licence}，可在政务服务平台“我的证照”中查看、下载和使用。";
  } else {
    t.title = licensing ? "不予行政许可决定书" : "不予办理决定书";
    t.body =
        applied + "，本机关已于{accepted_on}受理。经审查，" +
        (licensing ? "根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予行政许可。"
                   : "决定不予办理。") +
        "理由如下：\n{reasons}";
    t.remedy = Remedy("决定书");
  }
  return t;
}

std::string NumberWord(const std::string& kind) {
  if (kind == cases::kAcceptanceNotice) return "受字";
  if (kind == cases::kNonAcceptanceNotice) return "不受字";
  if (kind == cases::kApprovalDecision) return "准字";
  return "不准字";
}

std::vector<std::string> FillTemplate(const std::string& text,
                                      const std::map<std::string, std::string>& values) {
  auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t end; (end = s.find('\n', start)) != std::string::npos; start = end + 1)
      out.push_back(s.substr(start, end - start));
    out.push_back(s.substr(start));
    return out;
  };
  std::vector<std::string> out;
  for (const std::string& line : lines(text)) {
    std::string filled;
    bool any = false, all_empty = true;
    size_t i = 0;
    while (i < line.size()) {
      size_t open = line.find('{', i);
      size_t close = open == std::string::npos ? open : line.find('}', open);
      if (close == std::string::npos) {
        filled += line.substr(i);
        break;
      }
      filled += line.substr(i, open - i);
      auto it = values.find(line.substr(open + 1, close - open - 1));
      std::string value = it == values.end() ? "" : it->second;
      any = true;
      all_empty = all_empty && value.empty();
      filled += value;
      i = close + 1;
    }
    // A line whose every placeholder is empty (no licence was issued) is left out; a
    // value with line breaks (several reasons) makes several paragraphs.
    if (any && all_empty) continue;
    for (auto& p : lines(filled))
      if (!p.empty()) out.push_back(std::move(p));
  }
  return out;
}

Result<DocumentTemplate> TemplateFor(db::Connection& c, const std::string& kind,
                                     const std::string& item_code, const std::string& item_type) {
  OW_ASSIGN_OR_RETURN(auto own, store::LoadTemplate(c, kind, item_code));
  if (own) return std::move(*own);
  OW_ASSIGN_OR_RETURN(auto all, store::LoadTemplate(c, kind, ""));
  if (all) return std::move(*all);
  return BuiltinTemplate(kind, item_type);
}

}  // namespace internal

Result<std::vector<DocumentTemplate>> Service::Templates() {
  std::vector<DocumentTemplate> stored;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(stored, store::ListTemplates(c));
    return {};
  }));
  std::vector<DocumentTemplate> out;
  for (const char* kind : kKinds) {
    bool has_default = std::any_of(stored.begin(), stored.end(), [&](const auto& t) {
      return t.kind == kind && t.item_code.empty();
    });
    // A built-in in force, in each of its wordings (the decisions word licensing items
    // apart from the others).
    if (!has_default) {
      auto licensing = internal::BuiltinTemplate(kind, "administrative_licensing");
      bool two = licensing.applies_to != "all";
      out.push_back(std::move(licensing));
      if (two) out.push_back(internal::BuiltinTemplate(kind, ""));
    }
    for (const auto& t : stored)
      if (t.kind == kind) out.push_back(t);
  }
  return out;
}

Result<DocumentTemplate> Service::PutTemplate(const Principal& who, const DocumentTemplate& in,
                                              int64_t expected_version) {
  Validator v;
  if (!IsKind(in.kind)) v.Add("kind", "must be acceptance, non_acceptance, approval or denial");
  if (!in.item_code.empty()) {
    if (!catalog::ValidItemCode(in.item_code) ||
        (lookups_.item_exists && !lookups_.item_exists(in.item_code)))
      v.Add("item_code", "names no catalog item");
  }
  CheckText(v, "title", in.title, 240, true);
  if (!in.title.empty() && text::CodePoints(in.title) > 60) v.Add("title", "at most 60 characters");
  if (in.title.find('\n') != std::string::npos) v.Add("title", "must be one line");
  CheckText(v, "body", in.body, 4000, true);
  bool refusal = in.kind == cases::kNonAcceptanceNotice || in.kind == cases::kDenialDecision;
  CheckText(v, "remedy", in.remedy, 2000, refusal);
  if (refusal && in.remedy.find("复议") == std::string::npos)
    v.Add("remedy",
          "must state the right to administrative reconsideration (行政复议) and to "
          "litigation (行政诉讼), where and within what time");
  if (text::CodePoints(in.number_prefix) > 40 || !text::IsValidUtf8(in.number_prefix) ||
      in.number_prefix.find_first_of("{}\n\r〔〕") != std::string::npos)
    v.Add("number_prefix", "at most 40 characters, one line, without braces or 〔〕");
  if (expected_version < 0) v.Add("version", "must be 0 (new) or the current version");
  OW_RETURN_IF_ERROR(v.Finish("document template"));
  DocumentTemplate t = in;
  t.builtin = false;
  t.updated_by = who.name_for_audit;
  t.updated_at = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool saved, store::SaveTemplate(c, t, expected_version));
    if (!saved) {
      return StaleVersion("the document template " + t.kind + "/" + t.item_code +
                          (expected_version == 0 ? " exists; send its version to replace it"
                                                 : " changed or was removed; reload it"));
    }
    OW_ASSIGN_OR_RETURN(auto now, store::LoadTemplate(c, t.kind, t.item_code));
    if (now) t = *now;
    return audit::Append(
        c, {"document_template.saved", who.name_for_audit, t.kind + "/" + t.item_code, "success",
            "", "", json::object{{"version", t.version}}});
  }));
  return t;
}

Status Service::DeleteTemplate(const Principal& who, const std::string& kind,
                               const std::string& item_code, int64_t version) {
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto existing, store::LoadTemplate(c, kind, item_code));
    if (!existing) return NotFound("no stored document template " + kind + "/" + item_code);
    OW_ASSIGN_OR_RETURN(bool gone, store::DeleteTemplate(c, kind, item_code, version));
    if (!gone)
      return StaleVersion("the document template " + kind + "/" + item_code + " is at version " +
                          std::to_string(existing->version));
    return audit::Append(
        c, {"document_template.removed", who.name_for_audit, kind + "/" + item_code, "success", "",
            "", json::object{{"version", version}}});
  });
}

}  // namespace ow::licences
