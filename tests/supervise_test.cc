// Supervision (电子监察) and supervision after approval (事中事后监管) against a real server on
// both stores: yellow and red warnings raised once per object and level and pushed to the
// region's supervisors; the watch list; a rectification past its date tells the person;
// supervision orders (督办) issued, replied, returned and closed; licences issued from cases
// listed for their department to claim (审管联动); a random inspection plan (双随机) drawn
// reproducibly without conflicts of interest, a serious finding suspending a licence, and
// its publication. And the attackers: another region's supervisor, another department's
// staff, a member of staff without the role, an anonymous caller.
#include <boost/json.hpp>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "cases/service.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "db/database.h"
#include "identity/ids.h"
#include "ratings/service.h"
#include "supervise/model.h"
#include "supervise/service.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // implemented in 330102 by 330102-SCJG
constexpr const char* kDept = "330102-SCJG";

// 10:00 in China on `date`.
SystemTime At(const std::string& date) {
  auto d = ParseDate(date);
  return SystemTime(std::chrono::seconds(DaysSinceEpoch(*d) * 86400 + 2 * 3600));
}

std::string Str(const json::value& v, const char* key) {
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

// A valid unified social credit code ending in `n`.
std::string Uscc(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "91330102MA%07d", n % 10000000);
  std::string first17(buf);
  return first17 + identity::CreditCodeCheckChar(first17);
}

class SuperviseTest : public CasesFixture {
 protected:
  void SetClocks(const std::string& date) {
    SystemTime t = At(date);
    server_->app().cases().SetClock([t] { return t; });
    server_->app().ratings().SetClock([t] { return t; });
    server_->app().supervise().SetClock([t] { return t; });
  }
  void SuperviseOn(const std::string& date) {
    SystemTime t = At(date);
    server_->app().supervise().SetClock([t] { return t; });
  }
  void Sweep() {
    auto st = server_->app().supervise().Sweep();
    ASSERT_TRUE(st) << st.error().message;
  }

  // A case of zhangsan's for kItem, accepted (under review); with `approve`, decided and
  // delivered.
  json::object NewCase(bool approve = false) {
    Session zhang = Login("zhangsan");
    auto submitted = Submit(zhang, kItem, "330102", GtdjForm());
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    if (submitted.status != 201) return {};
    Session acceptor = Login("sc.acceptor");
    json::object c = Accept(acceptor, submitted.json().as_object());
    if (!approve) return c;
    Session approver = Login("sc.approver");
    auto done = Complete(approver, TaskOf(c, "Approve"), "approve");
    EXPECT_EQ(done.status, 200) << done.body;
    auto d = Call(verb::post, "/api/v1/cases/" + No(c) + "/deliver", Json({{"method", "online"}}),
                  &acceptor);
    EXPECT_EQ(d.status, 200) << d.body;
    return c;
  }

  // The watch list of `s`: "kind/ref" -> level.
  std::map<std::string, std::string> Watch(const Session& s, const std::string& query = "",
                                           int expect = 200) {
    auto r = Call(verb::get, "/api/v1/supervision/watch" + query, {}, &s);
    EXPECT_EQ(r.status, expect) << r.body;
    std::map<std::string, std::string> out;
    if (r.status != 200) return out;
    const json::value doc = r.json();
    for (const auto& x : doc.at("items").as_array())
      out[Str(x, "kind") + "/" + Str(x, "ref")] = Str(x, "level");
    return out;
  }

  // How many messages `code` about `ref` the inbox of `s` holds.
  int Messages(const Session& s, const std::string& code, const std::string& ref,
               std::string* link = nullptr) {
    auto r = Call(verb::get, "/api/v1/me/messages", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return 0;
    const json::value doc = r.json();
    int n = 0;
    for (const auto& m : doc.at("messages").as_array())
      if (Str(m, "code") == code && Str(m, "ref") == ref) {
        ++n;
        if (link) *link = Str(m, "link");
      }
    return n;
  }

  int64_t Warnings(const std::string& ref) {
    int64_t n = -1;
    auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM supervision_warnings WHERE "
                                          "ref = $1",
                                          {ref}));
      n = r.Int(0, 0);
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return n;
  }
};

TEST_P(SuperviseTest, LateCasesWarnTheRegionsSupervisorsOnceAndOnlyThem) {
  SetClocks("2030-06-06");  // a Thursday; no calendar published: weekends only
  json::object c = NewCase();
  ASSERT_FALSE(c.empty());
  std::string no = No(c);
  std::string deadline = Str(c, "promised_deadline");
  ASSERT_FALSE(deadline.empty()) << json::serialize(c);
  Session sup = Login("supervisor");  // 3301
  Session other = Staff("sup.330106", "330106-ZWFW", "330106", "supervisor");

  // Far from its date: nothing.
  Sweep();
  EXPECT_EQ(Warnings(no), 0);
  EXPECT_FALSE(Watch(sup).count("case/" + no));

  // On its last day: yellow, told once however often the sweep runs.
  SuperviseOn(deadline);
  Sweep();
  Sweep();
  EXPECT_EQ(Warnings(no), 1);
  EXPECT_EQ(Watch(sup)["case/" + no], "yellow");
  std::string link;
  EXPECT_EQ(Messages(sup, "supervise.case.yellow", no, &link), 1);
  EXPECT_EQ(link, "/supervise/warnings");

  // Past it: red, once more.
  auto past = AddDays(*ParseDate(deadline), 3);
  SuperviseOn(FormatDate(past));
  Sweep();
  Sweep();
  EXPECT_EQ(Warnings(no), 2);
  EXPECT_EQ(Watch(sup)["case/" + no], "red");
  EXPECT_EQ(Watch(sup, "?region=330102&kind=case")["case/" + no], "red");
  EXPECT_EQ(Messages(sup, "supervise.case.red", no), 1);

  // A supervisor of another district neither sees nor is told; nor may they ask for it.
  EXPECT_FALSE(Watch(other).count("case/" + no));
  EXPECT_EQ(Messages(other, "supervise.case.red", no), 0);
  Watch(other, "?region=330102", 403);
  Watch(other, "?region=3301", 403);
  // Department staff and persons have no watch list; anonymous callers none at all.
  Watch(Login("sc.acceptor"), "", 403);
  Watch(Login("zhangsan"), "", 403);
  EXPECT_EQ(Call(verb::get, "/api/v1/supervision/watch").status, 401);
  // A bad kind is named.
  auto bad = Call(verb::get, "/api/v1/supervision/watch?kind=cases", {}, &sup);
  EXPECT_EQ(bad.status, 422) << bad.body;

  // A suspended case is watched (its clock stops, so it warns nobody).
  json::object s = NewCase();
  auto r = Call(verb::post, "/api/v1/cases/" + No(s) + "/suspend",
                Json({{"procedure", "public_notice"}, {"reason", "依法公示"}}),
                &static_cast<const Session&>(Login("sc.approver")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Watch(sup)["case/" + No(s)], "suspended");
  EXPECT_FALSE(Watch(other).count("case/" + No(s)));
}

// The console's drill-down ends at one case: its supervisors see where it stands and how
// late, never who applied or what they filed; nobody else sees it at all.
TEST_P(SuperviseTest, TheConsoleShowsALateCaseToItsRegionsSupervisorsOnly) {
  SetClocks("2030-06-06");
  json::object c = NewCase();
  ASSERT_FALSE(c.empty());
  const std::string no = No(c), path = "/api/v1/supervision/cases/" + no;
  Session sup = Login("supervisor");  // 3301
  auto r = Call(verb::get, path, {}, &sup);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value k = r.json();
  EXPECT_EQ(Str(k, "tracking_no"), no);
  EXPECT_EQ(Str(k, "item_code"), kItem);
  EXPECT_EQ(Str(k, "department_code"), kDept);
  EXPECT_EQ(Str(k, "status"), "under_review");
  EXPECT_TRUE(k.at("level").is_null()) << r.body;  // in time
  ASSERT_GE(k.at("steps").as_array().size(), 2u) << r.body;
  EXPECT_EQ(Str(k.at("steps").at(0), "action"), "submitted");
  // Nothing of the person: not their name, ID number, form or account.
  for (const char* leak : {"张三", "330102199003073017", "applicant", "form", "zhangsan"})
    EXPECT_EQ(r.body.find(leak), std::string::npos) << leak << " in " << r.body;

  // Past its promised last working day: red, as on the watch list.
  SuperviseOn(FormatDate(AddDays(*ParseDate(Str(c, "promised_deadline")), 3)));
  r = Call(verb::get, path, {}, &sup);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "level"), "red");
  EXPECT_EQ(Watch(sup)["case/" + no], "red");

  // Another district's supervisor: as if there were none. Staff and persons: no such view.
  Session other = Staff("sup.330106", "330106-ZWFW", "330106", "supervisor");
  EXPECT_EQ(Call(verb::get, path, {}, &other).status, 404);
  EXPECT_EQ(Call(verb::get, path, {}, &static_cast<const Session&>(Login("sc.acceptor"))).status,
            403);
  EXPECT_EQ(Call(verb::get, path, {}, &static_cast<const Session&>(Login("zhangsan"))).status, 403);
  EXPECT_EQ(Call(verb::get, path).status, 401);
  // A malformed or unknown number.
  EXPECT_EQ(Call(verb::get, "/api/v1/supervision/cases/12345", {}, &sup).status, 404);
  std::string wrong = no;
  wrong[9] = wrong[9] == '9' ? '8' : '9';
  EXPECT_EQ(Call(verb::get, "/api/v1/supervision/cases/" + wrong, {}, &sup).status, 404);
}

TEST_P(SuperviseTest, ARectificationPastItsDateWarnsAndTellsThePerson) {
  SetClocks("2030-06-06");
  json::object c = NewCase(true);
  ASSERT_FALSE(c.empty());
  Session zhang = Login("zhangsan");
  auto rated = Call(verb::post, "/api/v1/ratings",
                    Json({{"case_no", No(c)},
                          {"level", 1},
                          {"reasons", json::array{"overdue"}},
                          {"comment", "等了很久"}}),
                    &zhang);
  ASSERT_EQ(rated.status, 201) << rated.body;
  std::string number = Str(rated.json(), "number");
  EXPECT_EQ(Str(rated.json(), "due_date"), "2030-06-20");
  Session sup = Login("supervisor");

  SuperviseOn("2030-06-19");  // one working day left
  Sweep();
  EXPECT_EQ(Watch(sup)["rectification/" + number], "yellow");
  EXPECT_EQ(Messages(sup, "supervise.rectification.yellow", number), 1);
  EXPECT_EQ(Messages(zhang, "supervise.rectification.overdue", number), 0);

  SuperviseOn("2030-06-21");
  Sweep();
  Sweep();
  EXPECT_EQ(Watch(sup)["rectification/" + number], "red");
  EXPECT_EQ(Messages(sup, "supervise.rectification.red", number), 1);
  std::string link;
  EXPECT_EQ(Messages(zhang, "supervise.rectification.overdue", number, &link), 1);
  EXPECT_EQ(link, "/me/ratings/" + number);
}

TEST_P(SuperviseTest, OrdersGoToTheDepartmentAndBack) {
  SetClocks("2030-06-06");
  Session sup = Login("supervisor");
  Session acceptor = Login("sc.acceptor");
  Session other_sup = Staff("sup.330106", "330106-ZWFW", "330106", "supervisor");
  Session mz = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  json::object order{{"department_code", kDept},
                     {"object_kind", "case"},
                     {"object_ref", "203006060000000001X"},
                     {"subject", "办件超期未办结"},
                     {"instruction", "请于期限内办结并说明超期原因"},
                     {"due_date", "2030-06-10"}};
  // Only the supervisors of the department's region issue orders to it.
  EXPECT_EQ(Call(verb::post, "/api/v1/supervision-orders", Json(order), &other_sup).status, 403);
  EXPECT_EQ(Call(verb::post, "/api/v1/supervision-orders", Json(order), &acceptor).status, 403);
  json::object past = order;
  past["due_date"] = "2030-06-05";
  auto bad = Call(verb::post, "/api/v1/supervision-orders", Json(past), &sup);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("due_date"), std::string::npos);
  json::object nowhere = order;
  nowhere["department_code"] = "NO-SUCH";
  EXPECT_EQ(Call(verb::post, "/api/v1/supervision-orders", Json(nowhere), &sup).status, 422);
  // The deadline in working days instead of a date: counted by the calendar (Thursday + 3 is
  // the next Tuesday); not both, and not beyond 60.
  json::object in_days = order;
  in_days.erase("due_date");
  in_days["due_days"] = 3;
  auto days = Call(verb::post, "/api/v1/supervision-orders", Json(in_days), &sup);
  ASSERT_EQ(days.status, 201) << days.body;
  EXPECT_EQ(Str(days.json(), "due_date"), "2030-06-11");
  json::object both = order;
  both["due_days"] = 3;
  EXPECT_EQ(Call(verb::post, "/api/v1/supervision-orders", Json(both), &sup).status, 422);
  in_days["due_days"] = 61;
  EXPECT_EQ(Call(verb::post, "/api/v1/supervision-orders", Json(in_days), &sup).status, 422);

  auto r = Call(verb::post, "/api/v1/supervision-orders", Json(order), &sup);
  ASSERT_EQ(r.status, 201) << r.body;
  json::object o = r.json().as_object();
  std::string number = Str(o, "number");
  EXPECT_EQ(number.substr(0, 10), "DB20300606");
  EXPECT_EQ(Str(o, "status"), "open");
  EXPECT_EQ(Str(o, "region_code"), "330102");

  auto listed = [&](const Session& s, const std::string& which) {
    auto l = Call(verb::get, "/api/v1/supervision-orders?which=" + which, {}, &s);
    EXPECT_EQ(l.status, 200) << l.body;
    std::set<std::string> out;
    if (l.status != 200) return out;
    const json::value doc = l.json();
    for (const auto& x : doc.at("orders").as_array()) out.insert(Str(x, "number"));
    return out;
  };
  EXPECT_TRUE(listed(acceptor, "department").count(number));
  EXPECT_TRUE(listed(sup, "supervisor").count(number));
  EXPECT_FALSE(listed(mz, "department").count(number));
  EXPECT_FALSE(listed(other_sup, "supervisor").count(number));
  EXPECT_EQ(Call(verb::get, "/api/v1/supervision-orders/" + number, {}, &mz).status, 404);
  EXPECT_EQ(Call(verb::get, "/api/v1/supervision-orders/" + number, {}, &other_sup).status, 404);

  // Another department cannot reply; the supervisor cannot close an unanswered order.
  json::object reply{{"version", o.at("version")}, {"reply", "已办结，超期原因为材料补正"}};
  EXPECT_EQ(
      Call(verb::post, "/api/v1/supervision-orders/" + number + "/reply", Json(reply), &mz).status,
      404);
  EXPECT_EQ(Call(verb::post, "/api/v1/supervision-orders/" + number + "/decision",
                 Json({{"version", o.at("version")}, {"decision", "close"}}), &sup)
                .status,
            409);
  r = Call(verb::post, "/api/v1/supervision-orders/" + number + "/reply", Json(reply), &acceptor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "status"), "replied");
  EXPECT_EQ(Messages(sup, "supervise.order.replied", number), 1);
  // A stale version is refused.
  EXPECT_EQ(
      Call(verb::post, "/api/v1/supervision-orders/" + number + "/reply", Json(reply), &acceptor)
          .status,
      409);
  // Sent back with a new date; then replied and closed.
  json::object back{{"version", r.json().at("version")},
                    {"decision", "return"},
                    {"instruction", "请补充整改措施"},
                    {"due_date", "2030-06-12"}};
  EXPECT_EQ(
      Call(verb::post, "/api/v1/supervision-orders/" + number + "/decision", Json(back), &other_sup)
          .status,
      404);
  r = Call(verb::post, "/api/v1/supervision-orders/" + number + "/decision", Json(back), &sup);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "status"), "open");
  EXPECT_EQ(r.json().at("rounds").as_int64(), 2);

  // Left unanswered past its date, it warns.
  SuperviseOn("2030-06-13");
  Sweep();
  EXPECT_EQ(Watch(sup)["order/" + number], "red");
  EXPECT_EQ(Messages(sup, "supervise.order.red", number), 1);

  r = Call(verb::post, "/api/v1/supervision-orders/" + number + "/reply",
           Json({{"version", r.json().at("version")}, {"reply", "已补充整改措施"}}), &acceptor);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call(verb::post, "/api/v1/supervision-orders/" + number + "/decision",
           Json({{"version", r.json().at("version")}, {"decision", "close"}}), &sup);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "status"), "closed");
  EXPECT_FALSE(Watch(sup).count("order/" + number));
}

TEST_P(SuperviseTest, ALicenceFromACaseIsListedForItsDepartmentToClaim) {
  json::object c = NewCase(true);  // the item's approval issues a licence
  ASSERT_FALSE(c.empty());
  Sweep();
  Sweep();
  Session acceptor = Login("sc.acceptor");
  Session mz = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  auto claims = [&](const Session& s, const std::string& which) {
    auto r = Call(verb::get, "/api/v1/supervision-claims?which=" + which, {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<json::object> out;
    if (r.status != 200) return out;
    const json::value doc = r.json();
    for (const auto& x : doc.at("claims").as_array())
      if (Str(x, "case_no") == No(c)) out.push_back(x.as_object());
    return out;
  };
  auto mine = claims(acceptor, "department");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(Str(mine[0], "status"), "pending");
  EXPECT_EQ(Str(mine[0], "department_code"), kDept);
  std::string licence = Str(mine[0], "licence_number");
  EXPECT_TRUE(claims(mz, "department").empty());
  EXPECT_EQ(claims(Login("supervisor"), "supervisor").size(), 1u);

  // Unclaimed past its date: a red warning for the region's supervisors.
  auto due = ParseDate(Str(mine[0], "due_date"));
  ASSERT_TRUE(due);
  SuperviseOn(FormatDate(AddDays(*due, 1)));
  Sweep();
  EXPECT_EQ(Watch(Login("supervisor"))["claim/" + licence], "red");

  json::object body{{"version", mine[0].at("version")}, {"note", "已纳入日常监管名录"}};
  EXPECT_EQ(
      Call(verb::post, "/api/v1/supervision-claims/" + licence + "/claim", Json(body), &mz).status,
      404);
  EXPECT_EQ(Call(verb::post, "/api/v1/supervision-claims/" + licence + "/claim", Json(body),
                 &static_cast<const Session&>(Login("supervisor")))
                .status,
            403);
  auto r =
      Call(verb::post, "/api/v1/supervision-claims/" + licence + "/claim", Json(body), &acceptor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "status"), "claimed");
  EXPECT_EQ(
      Call(verb::post, "/api/v1/supervision-claims/" + licence + "/claim", Json(body), &acceptor)
          .status,
      409);
  EXPECT_FALSE(Watch(Login("supervisor")).count("claim/" + licence));
}

class InspectionsTest : public SuperviseTest {
 protected:
  void SetUp() override {
    SuperviseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // An enterprise licence type of the department, and its approver holding its seal.
    json::object type{{"name", "测试经营许可证"},
                      {"name_en", "Test trading permit"},
                      {"department_code", kDept},
                      {"holder_kind", "enterprise"},
                      {"schema",
                       {{"type", "object"},
                        {"properties", {{"address", {{"type", "string"}, {"maxLength", 200}}}}},
                        {"required", {"address"}}}},
                      {"validity_months", 36},
                      {"trust_level", "A"},
                      {"number_prefix", "JYX"},
                      {"issued_by_items", json::array{}},
                      {"one_per_holder", false},
                      {"document",
                       {{"title", "测试经营许可证"},
                        {"fields", {{{"field", "address"}, {"label", "经营场所"}}}}}},
                      {"from_form", {{"address", "address"}}}};
    auto t = Admin(verb::put, "/api/v1/licence-types/test_trading", Json(type));
    ASSERT_TRUE(t.status == 200 || t.status == 201) << t.body;
    AllowLicenceSeal("sc.approver", kDept);
    approver_ = Login("sc.approver");
    for (int i = 0; i < 8; ++i) {
      auto r =
          Call(verb::post, "/api/v1/licences",
               Json({{"type_code", "test_trading"},
                     {"holder",
                      {{"kind", "enterprise"},
                       {"id", Uscc(i)},
                       {"name", "测试企业" + std::to_string(i) + "有限公司"}}},
                     {"fields", {{"address", "杭州市上城区解放路" + std::to_string(i) + "号"}}},
                     {"reason", "存量证照补录"}}),
               &approver_);
      ASSERT_EQ(r.status, 201) << r.body;
      licences_.push_back(Str(r.json(), "number"));
    }
    for (int i = 0; i < 4; ++i) {
      std::string id;
      Staff("sc.inspector" + std::to_string(i), kDept, "330102", "acceptor", &id);
      inspectors_.push_back(id);
      auto r =
          Call(verb::post, "/api/v1/inspection-staff",
               Json({{"department_code", kDept}, {"username", "sc.inspector" + std::to_string(i)}}),
               &approver_);
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }

  HttpResponse Plan(const Session& s, int entities, int per_entity = 2) {
    return Call(verb::post, "/api/v1/inspection-plans",
                Json({{"department_code", kDept},
                      {"licence_type", "test_trading"},
                      {"title", "2030年第二季度食品经营双随机抽查"},
                      {"entities", entities},
                      {"inspectors_per_entity", per_entity}}),
                &s);
  }

  Session approver_;
  std::vector<std::string> licences_, inspectors_;
};

TEST_P(InspectionsTest, ADrawIsReproducibleConflictFreeAndPublished) {
  // Inspector 0 declared a conflict with enterprises 0 to 5, inspector 1 with 0 and 1.
  for (int i = 0; i < 6; ++i) {
    auto r = Call(verb::post, "/api/v1/inspection-conflicts",
                  Json({{"department_code", kDept},
                        {"account", inspectors_[0]},
                        {"uscc", Uscc(i)},
                        {"reason", "近亲属在该企业任职"}}),
                  &approver_);
    ASSERT_EQ(r.status, 204) << r.body;
  }
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(Call(verb::post, "/api/v1/inspection-conflicts",
                   Json({{"department_code", kDept},
                         {"account", inspectors_[1]},
                         {"uscc", Uscc(i)},
                         {"reason", "曾为该企业提供咨询"}}),
                   &approver_)
                  .status,
              204);
  auto declared = Call(verb::get, "/api/v1/inspection-conflicts?department=" + std::string(kDept),
                       {}, &approver_);
  ASSERT_EQ(declared.status, 200) << declared.body;
  EXPECT_EQ(declared.json().at("conflicts").as_array().size(), 8u);
  supervise::Bars bars;
  for (int i = 0; i < 6; ++i) bars.insert({inspectors_[0], Uscc(i)});
  for (int i = 0; i < 2; ++i) bars.insert({inspectors_[1], Uscc(i)});
  std::vector<supervise::Entity> entities;
  for (int i = 0; i < 8; ++i) entities.push_back({Uscc(i), "", {}});
  std::vector<supervise::Inspector> pool;
  for (const auto& id : inspectors_) pool.push_back({id, ""});

  // Many plans, each from a fresh seed: never a barred pairing, and each draw is what the
  // published algorithm gives for its seed and the same inputs.
  json::object last;
  std::set<std::string> seeds;
  for (int round = 0; round < 12; ++round) {
    auto r = Plan(approver_, 8, 2);
    ASSERT_EQ(r.status, 201) << r.body;
    json::object p = r.json().as_object();
    EXPECT_TRUE(p.at("reproduced").as_bool());
    EXPECT_EQ(p.at("pool_entities").as_int64(), 8);
    EXPECT_EQ(p.at("pool_inspectors").as_int64(), 4);
    std::string seed = Str(p, "seed");
    EXPECT_EQ(seed.size(), 32u);
    seeds.insert(seed);
    auto again = supervise::Draw(seed, entities, pool, bars, 8, 2);
    ASSERT_TRUE(again) << again.error().message;
    const auto& entries = p.at("entries").as_array();
    ASSERT_EQ(entries.size(), again->size());
    for (size_t i = 0; i < entries.size(); ++i) {
      std::string uscc = Str(entries[i], "uscc");
      EXPECT_EQ(uscc, (*again)[i].uscc);
      std::vector<std::string> drawn;
      for (const auto& x : entries[i].at("inspectors").as_array())
        drawn.push_back(Str(x, "account"));
      EXPECT_EQ(drawn, (*again)[i].inspectors);
      for (const auto& a : drawn) EXPECT_FALSE(bars.count({a, uscc})) << a << " on " << uscc;
    }
    last = p;
  }
  EXPECT_EQ(seeds.size(), 12u);
  // A plan that cannot avoid the conflicts is refused, not drawn with one.
  auto three = Plan(approver_, 8, 3);
  EXPECT_EQ(three.status, 409) << three.body;

  // A serious finding suspends the entity's licence through the licences service.
  std::string number = Str(last, "number");
  const auto& first = last.at("entries").as_array()[0];
  std::string uscc = Str(first, "uscc");
  std::string licence = std::string(first.at("licences").as_array()[0].as_string());
  auto r = Call(verb::post, "/api/v1/inspection-plans/" + number + "/results",
                Json({{"version", last.at("version")},
                      {"uscc", uscc},
                      {"result", "serious"},
                      {"note", "超范围经营，拒不整改"}}),
                &approver_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object p = r.json().as_object();
  EXPECT_EQ(Str(p.at("entries").as_array()[0], "result"), "serious");
  auto l = Call(verb::get, "/api/v1/licences/" + licence, {}, &approver_);
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(Str(l.json(), "status"), "suspended");
  // Once per entity.
  EXPECT_EQ(Call(verb::post, "/api/v1/inspection-plans/" + number + "/results",
                 Json({{"version", p.at("version")}, {"uscc", uscc}, {"result", "no_problem"}}),
                 &approver_)
                .status,
            409);

  // Not public until published; then the plan, seed, entities and results, nothing more.
  EXPECT_EQ(Call(verb::get, "/api/v1/inspections/" + number).status, 404);
  r = Call(verb::post, "/api/v1/inspection-plans/" + number + "/publication",
           Json({{"version", p.at("version")}}), &approver_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto pub = Call(verb::get, "/api/v1/inspections/" + number);
  ASSERT_EQ(pub.status, 200) << pub.body;
  json::object shown = pub.json().as_object();
  EXPECT_EQ(Str(shown, "seed"), Str(last, "seed"));
  const auto& e0 = shown.at("entries").as_array()[0].as_object();
  EXPECT_EQ(Str(e0, "uscc"), uscc);
  EXPECT_EQ(Str(e0, "result"), "serious");
  EXPECT_FALSE(Str(e0, "name").empty());
  EXPECT_FALSE(e0.contains("inspectors"));
  EXPECT_FALSE(e0.contains("note"));
  EXPECT_EQ(pub.body.find("sc.inspector"), std::string::npos);
  EXPECT_EQ(pub.body.find(inspectors_[2]), std::string::npos);
  auto list = Call(verb::get, "/api/v1/inspections?region=3301");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find(number), std::string::npos);
}

// A serious finding and the suspension of the entity's licences commit together: when
// recording the result fails (here a trigger makes the entries table refuse the update), no
// licence is left suspended without its finding, and sending the same request again works.
TEST_P(InspectionsTest, ASeriousFindingAndItsSuspensionCommitTogether) {
  auto r = Plan(approver_, 1, 1);
  ASSERT_EQ(r.status, 201) << r.body;
  json::object plan = r.json().as_object();
  std::string number = Str(plan, "number");
  const auto& entry = plan.at("entries").as_array()[0];
  std::string uscc = Str(entry, "uscc");
  std::string licence = std::string(entry.at("licences").as_array()[0].as_string());
  db::Database& db = server_->app().database();
  bool pg = db.dialect() == db::Dialect::kPostgres;
  auto exec = [&](const std::string& sql) {
    auto st = db.Transact([&](db::Connection& c) -> ow::Status {
      auto done = c.Exec(sql);
      if (!done) return done.error();
      return {};
    });
    ASSERT_TRUE(st) << sql << ": " << st.error().message;
  };
  if (pg) {
    exec(
        "CREATE OR REPLACE FUNCTION ow_test_refuse_entry() RETURNS trigger LANGUAGE plpgsql AS "
        "$body$ BEGIN RAISE EXCEPTION 'injected failure'; END $body$");
    exec(
        "CREATE TRIGGER ow_test_refuse_entry BEFORE UPDATE ON inspection_entries "
        "FOR EACH ROW EXECUTE FUNCTION ow_test_refuse_entry()");
  } else {
    exec(
        "CREATE TRIGGER ow_test_refuse_entry BEFORE UPDATE ON inspection_entries "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  }
  json::object body{{"version", plan.at("version")},
                    {"uscc", uscc},
                    {"result", "serious"},
                    {"note", "无证超范围经营"}};
  auto failed =
      Call(verb::post, "/api/v1/inspection-plans/" + number + "/results", Json(body), &approver_);
  EXPECT_NE(failed.status, 200) << failed.body;  // the store's error, whatever it maps to
  auto l = Call(verb::get, "/api/v1/licences/" + licence, {}, &approver_);
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(Str(l.json(), "status"), "valid") << "suspended without a recorded finding";
  auto read = Call(verb::get, "/api/v1/inspection-plans/" + number, {}, &approver_);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_TRUE(read.json().at("entries").as_array()[0].at("result").is_null());
  EXPECT_EQ(read.json().at("version"), plan.at("version"));

  exec("DROP TRIGGER ow_test_refuse_entry" + std::string(pg ? " ON inspection_entries" : ""));
  if (pg) exec("DROP FUNCTION ow_test_refuse_entry()");
  auto again =
      Call(verb::post, "/api/v1/inspection-plans/" + number + "/results", Json(body), &approver_);
  ASSERT_EQ(again.status, 200) << again.body;
  const json::value again_doc = again.json();
  const auto& e = again_doc.at("entries").as_array()[0];
  EXPECT_EQ(Str(e, "result"), "serious");
  ASSERT_EQ(e.at("suspended").as_array().size(), 1u);
  EXPECT_EQ(std::string(e.at("suspended").as_array()[0].as_string()), licence);
  l = Call(verb::get, "/api/v1/licences/" + licence, {}, &approver_);
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(Str(l.json(), "status"), "suspended");
}

TEST_P(InspectionsTest, OnlyTheDepartmentsApproversPlan) {
  Session acceptor = Login("sc.acceptor");
  Session mz = Staff("mz.approver", "330102-MZ", "330102", "approver");
  Session sup = Login("supervisor");
  EXPECT_EQ(Plan(acceptor, 2).status, 403);
  EXPECT_EQ(Plan(mz, 2).status, 403);
  EXPECT_EQ(Plan(sup, 2).status, 403);
  EXPECT_EQ(Call(verb::get, "/api/v1/inspection-staff?department=330102-SCJG", {}, &mz).status,
            403);
  EXPECT_EQ(Call(verb::get, "/api/v1/inspection-conflicts?department=330102-SCJG", {}, &mz).status,
            403);
  EXPECT_EQ(Call(verb::get, "/api/v1/inspection-conflicts?department=330102-SCJG", {}, &sup).status,
            403);
  auto r = Plan(approver_, 2);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string number = Str(r.json(), "number");
  EXPECT_EQ(Call(verb::get, "/api/v1/inspection-plans/" + number, {}, &mz).status, 404);
  EXPECT_EQ(Call(verb::get, "/api/v1/inspection-plans/" + number).status, 401);
  EXPECT_EQ(Call(verb::post, "/api/v1/inspection-plans/" + number + "/publication",
                 Json({{"version", r.json().at("version")}}), &mz)
                .status,
            404);
  // Only the department's own staff become its inspectors; conflicts name real codes.
  EXPECT_EQ(Call(verb::post, "/api/v1/inspection-staff",
                 Json({{"department_code", kDept}, {"username", "mz.approver"}}), &approver_)
                .status,
            422);
  EXPECT_EQ(Call(verb::post, "/api/v1/inspection-conflicts",
                 Json({{"department_code", kDept},
                       {"account", inspectors_[0]},
                       {"uscc", "91330102MA0000000Z"},
                       {"reason", "x"}}),
                 &approver_)
                .status,
            422);
  // A type nobody holds: nothing to draw.
  auto none = Call(verb::post, "/api/v1/inspection-plans",
                   Json({{"department_code", kDept},
                         {"licence_type", "no_such_type"},
                         {"title", "t"},
                         {"entities", 1}}),
                   &approver_);
  EXPECT_EQ(none.status, 409) << none.body;
}

OW_INSTANTIATE_STORE_TESTS(SuperviseTest);
OW_INSTANTIATE_STORE_TESTS(InspectionsTest);

}  // namespace
}  // namespace ow::testing
