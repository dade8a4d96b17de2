// Anonymised ratings for third-party evaluation (issue 17 part 6): what an evaluator may
// see of a good/bad rating, and the masking of its free text. Pure functions: no I/O.
//
// An evaluator sees each rating's level, reasons, channels, item, department, region, day
// (in China) and rectification state, and its comment after MaskText. Never the rater, the
// rating's number, staff names or notes, or the case number: only CaseKey, a keyed hash
// under a key made for one read or export and then forgotten, so that ratings of one case
// group together within that file but cannot be looked up or joined across files.
#ifndef OW_INDICATORS_ANONYMISE_H_
#define OW_INDICATORS_ANONYMISE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ow::indicators {

struct AnonymousRating {
  std::string case_key;  // CaseKey of the case number under the read's key
  std::string day;       // YYYY-MM-DD in China, when the rating was given
  std::string region_code, department_code, item_code;
  std::string channel;  // where the rating came from: online, counter, terminal, sms, hotline
  std::string service_channel;  // the channel the case was served on: web, app, counter, agent ...
  int64_t level = 0;            // 1 非常不满意 ... 5 非常满意
  std::vector<std::string> reasons;  // reason codes (ratings/model.h)
  std::string stage;    // rectification stage: "" (not a bad rating), department, applicant,
                        // supervisor, done
  std::string outcome;  // once done: confirmed, upheld, annulled, unconfirmed
  std::string comment;  // MaskText of the rater's comment
};

// The free text with what could identify a person replaced (docs/indicators.md lists the
// rules): e-mail addresses by "[email]"; runs of 7 or more digits (ASCII or full-width,
// with single spaces or hyphens between digits, and a trailing X) by "[id]" (15 digits, 18,
// or 17 and X: resident ID numbers), "[phone]" (11 digits starting with 1) or "[number]"
// (anything else: landlines, case and rating numbers, bank cards); Chinese names before a
// form of address (王先生, 李建国师傅, 张老师 ...) or after an introduction (我叫, 我是,
// 名叫, 姓名, 工作人员, 经办人 ...) when they start with a listed surname, by "[name]";
// English names after Mr, Mrs, Ms, Miss, Dr or "my name is", by "[name]". Ill-formed UTF-8
// becomes U+FFFD. Names in other forms are not detected.
std::string MaskText(std::string_view text);

// A fresh random key for one read or export (32 bytes).
std::string NewCaseKeySecret();
// "c" and the first 16 hex digits of HMAC-SHA-256(secret, case_no).
std::string CaseKey(std::string_view secret, std::string_view case_no);

}  // namespace ow::indicators

#endif  // OW_INDICATORS_ANONYMISE_H_
