// The case operations against docs/openapi.json (support/openapi_checker.h).
#include <set>

#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiCases : public StoreTest {};

// The first open task of `node` in a case response, as {id, version}; {"0", 0} when none.
std::pair<std::string, int64_t> OpenTask(const HttpResponse& res, const std::string& node) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  const json::value* tasks = !ec && v.is_object() ? v.as_object().if_contains("tasks") : nullptr;
  if (tasks && tasks->is_array()) {
    for (const auto& t : tasks->as_array()) {
      if (t.at("node") == node.c_str() && t.at("status") == "open")
        return {std::to_string(t.at("id").as_int64()), t.at("version").as_int64()};
    }
  }
  ADD_FAILURE() << "no open task " << node << " in " << res.body;
  return {"0", 0};
}

// Exercises every case operation on both stores with the demo accounts: a resident
// applies online and a hall takes an application in for another; the handling
// department claims, accepts, asks for a supplement, suspends and resumes, transfers
// and approves; the result is delivered and the case closed; a second case is
// withdrawn; a bundle application fans out; the applicant reads and marks messages.
TEST_P(OpenApiCases, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestServer server(db_url());
  auto seeded =
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config());
  ASSERT_TRUE(seeded) << seeded.error().message;
  // Thursday 6 June 2030, 10:00 in Hangzhou, on a published calendar.
  server.app().cases().SetClock([] { return SystemTime(std::chrono::seconds(1906941600)); });
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  const auto admin = server.AdminHeaders();
  auto year = client.SendJson(verb::put, "/api/v1/calendar/2030",
                              R"({"holidays":["2030-06-10"],"working_days":[]})", admin);
  ASSERT_EQ(year.status, 201) << year.body;
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string kPassword = "OneWindow-demo-2026";  // demo/accounts.json
  auto login = [&](const std::string& username) {
    auto res = client.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(res.status, 201) << username << ": " << res.body;
    return LoginOf(res);
  };
  // A staff member holding `role`, granted by the demo security administrator.
  const Login security = login("secadmin");
  auto staff = [&](const std::string& username, const std::string& department,
                   const std::string& region, const std::string& role) {
    auto made = client.SendJson(verb::post, "/api/v1/staff",
                                json::serialize(json::object{{"username", username},
                                                             {"password", kPassword},
                                                             {"real_name", "王五"},
                                                             {"department_code", department},
                                                             {"region_code", region}}),
                                admin);
    EXPECT_EQ(made.status, 201) << made.body;
    json::object grant{{"role", role}, {"region_code", region}};
    if (role != "counter") grant["department_code"] = department;
    auto granted = client.SendJson(verb::post, "/api/v1/staff/" + Member(made, "id") + "/roles",
                                   json::serialize(grant), security.write);
    EXPECT_EQ(granted.status, 201) << granted.body;
    return login(username);
  };
  const Login zhang = login("zhangsan"), lisi = login("lisi"), acceptor = login("sc.acceptor"),
              approver = login("sc.approver"), counter = login("hall.counter"),
              agent = login("village.agent");
  const Login colleague = staff("sc.approver2", "330102-SCJG", "330102", "approver");
  {
    // The item's approval issues a licence (demo/licences.json): the colleague who decides
    // must be allowed to use the department's licence seal.
    auto seals = client.Get("/api/v1/seals?department=330102-SCJG");
    ASSERT_EQ(seals.status, 200) << seals.body;
    const json::value listed = json::parse(seals.body);
    for (const auto& x : listed.at("seals").as_array()) {
      if (x.at("kind") != "licence" || x.at("status") != "active") continue;
      EXPECT_EQ(client
                    .Send(verb::put,
                          "/api/v1/seals/" + std::string(x.at("id").as_string()) +
                              "/holders/sc.approver2",
                          "", security.write)
                    .status,
                200);
    }
  }
  const Login xihu = staff("xh.counter", "330106-ZWFW", "330106", "counter");
  const auto urlencoded = [](const Login& who) {
    return With(who.write, "Content-Type", "application/x-www-form-urlencoded");
  };

  const std::string kCases = "/api/v1/cases", kCase = kCases + "/{no}",
                    kWithdraw = kCase + "/withdraw", kSupply = kCase + "/supplement",
                    kAskSupply = kCase + "/supplement-request", kSuspend = kCase + "/suspend",
                    kResume = kCase + "/resume", kDeliver = kCase + "/deliver",
                    kClose = kCase + "/close", kMine = "/api/v1/me/cases",
                    kMessages = "/api/v1/me/messages", kRead = kMessages + "/{id}/read",
                    kBundles = "/api/v1/bundle-applications", kBundle = kBundles + "/{id}",
                    kInbox = "/api/v1/workbench/tasks", kClaim = "/api/v1/tasks/{id}/claim",
                    kComplete = "/api/v1/tasks/{id}/complete",
                    kTransfer = "/api/v1/tasks/{id}/transfer";
  const json::object kForm{{"operator_name", "张三"}, {"operator_id", "330102199003073017"},
                           {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
                           {"scope", "日用百货零售"}, {"phone", "13800000001"}};
  // Copies of the required materials of `items`, uploaded once by zhangsan (reused by
  // each of his applications): the server checks them at submission.
  auto required_copies = [&](const std::vector<std::string>& items) {
    json::array out;
    std::set<std::string> seen;
    for (const auto& item : items) {
      auto doc = client.Get("/api/v1/catalog/items/" + item).json();
      for (const auto& m : doc.at("item").at("materials").as_array()) {
        std::string name(m.at("name").as_string());
        if (!m.at("required").as_bool() || m.at("form") == "paper" || !seen.insert(name).second)
          continue;
        auto up = client.Send(verb::post, "/api/v1/materials?filename=copy.pdf",
                              "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                              With(zhang.write, "Content-Type", "application/pdf"));
        EXPECT_EQ(up.status, 201) << up.body;
        out.push_back({{"id", Member(up, "id")}, {"name", name}});
      }
    }
    return out;
  };
  const json::array zhang_copies = required_copies({"3301-SCJG-GTDJ"});
  auto application = [&](json::object extra = {}) {
    json::object body{{"item_code", "3301-SCJG-GTDJ"}, {"region_code", "330102"}, {"form", kForm}};
    if (!extra.contains("applicant_resident_id")) body["materials"] = zhang_copies;
    for (auto& kv : extra) body[kv.key()] = kv.value();
    return json::serialize(body);
  };

  // What the platform fills in: the caller's own details, in full, for the fields the item
  // marks; nobody else's, and nothing for staff.
  const std::string kPrefill = "/api/v1/me/prefill";
  auto known =
      check(verb::get, kPrefill + "?item_code=3301-SCJG-GTDJ", kPrefill, 200, {}, zhang.read);
  EXPECT_NE(known.body.find("\"operator_id\":\"330102199003073017\""), std::string::npos)
      << known.body;
  EXPECT_NE(known.body.find("\"operator_name\":\"张三\""), std::string::npos) << known.body;
  auto other =
      check(verb::get, kPrefill + "?item_code=3301-SCJG-GTDJ", kPrefill, 200, {}, lisi.read);
  EXPECT_EQ(other.body.find("330102199003073017"), std::string::npos) << other.body;
  check(verb::get, kPrefill + "?item_code=3301-SCJG-GTDJ", kPrefill, 401, {});
  check(verb::get, kPrefill + "?item_code=3301-SCJG-GTDJ", kPrefill, 403, {}, acceptor.read);
  check(verb::get, kPrefill + "?item_code=NO-SUCH-ITEM", kPrefill, 404, {}, zhang.read);
  check(verb::get, kPrefill + "?item_code=3301-SCJG-GTDJ&enterprise=91330102MA2XXXXX0X", kPrefill,
        404, {}, zhang.read);
  check(verb::get, kPrefill, kPrefill, 422, {}, zhang.read);

  // Applying: online, at a counter, by an agent, and what is refused.
  check(verb::post, kCases, kCases, 401, application());
  check(verb::post, kCases, kCases, 403, application(), zhang.read);  // no CSRF token
  check(verb::post, kCases, kCases, 400, "{\"item_code\":", zhang.write);
  check(verb::post, kCases, kCases, 415, "item_code=3301-SCJG-GTDJ", urlencoded(zhang));
  auto surprise = check(verb::post, kCases, kCases, 422, R"({"surprise":1})", zhang.write);
  EXPECT_TRUE(NamesField(surprise, "surprise")) << surprise.body;
  auto bad_form = check(verb::post, kCases, kCases, 422, application({{"form", {{"phone", "1"}}}}),
                        zhang.write);
  EXPECT_TRUE(NamesField(bad_form, "form/phone")) << bad_form.body;
  check(verb::post, kCases, kCases, 403,
        application({{"applicant_resident_id", "330106198506124526"}, {"applicant_name", "李四"}}),
        zhang.write);  // only counter staff take applications in
  auto created = check(verb::post, kCases, kCases, 201, application(), zhang.write);
  const std::string no = Member(created, "tracking_no");
  const std::string one = kCases + "/" + no;
  EXPECT_EQ(created.header("location"), one);
  // The public lookup (我要查): no credentials; one wrong detail, then the right ones.
  const std::string kLookups = "/api/v1/case-lookups";
  auto lookup = [&](const std::string& name) {
    return json::serialize(json::object{{"tracking_no", no}, {"name", name}, {"id_last4", "3017"}});
  };
  check(verb::post, kLookups, kLookups, 404, lookup("李四"));
  auto stage = check(verb::post, kLookups, kLookups, 200, lookup("张三"));
  EXPECT_EQ(Member(stage, "stage"), "applied");
  check(verb::post, kLookups, kLookups, 400, "{\"tracking_no\":");
  check(verb::post, kLookups, kLookups, 415, "tracking_no=1", urlencoded(zhang));
  check(verb::post, kLookups, kLookups, 422, "{\"tracking_no\":\"1\"}");
  for (int i = 0; i < 4; ++i) check(verb::post, kLookups, kLookups, 404, lookup("李四"));
  check(verb::post, kLookups, kLookups, 429, lookup("张三"));  // five failures for the number
  auto missing = check(verb::post, kCases, kCases, 422, application({{"materials", json::array{}}}),
                       zhang.write);
  EXPECT_TRUE(NamesField(missing, "materials")) << missing.body;
  auto not_held = check(
      verb::post, kCases, kCases, 422,
      application({{"licences", json::array{{{"name", "居民身份证"}, {"number", "GT-NONE"}}}}}),
      zhang.write);
  EXPECT_TRUE(NamesField(not_held, "licences/0/number")) << not_held.body;
  const std::string kUsedPdf = kCase + "/licences/{number}/pdf";
  check(verb::get, one + "/licences/GT-NONE/pdf", kUsedPdf, 404, {}, zhang.read);
  check(verb::get, one + "/licences/GT-NONE/pdf", kUsedPdf, 401);
  auto at_counter = check(
      verb::post, kCases, kCases, 201,
      application({{"applicant_resident_id", "330106198506124526"}, {"applicant_name", "李四"}}),
      counter.write);
  EXPECT_EQ(Member(at_counter, "channel"), "counter");
  // The item may not be taken in at a hall of another district (cross_region: none).
  check(verb::post, kCases, kCases, 409,
        application({{"applicant_resident_id", "330102199003073017"}, {"applicant_name", "张三"}}),
        xihu.write);
  auto me = client.Get("/api/v1/session", zhang.read);
  std::string zhang_id = std::string(me.json().at("account").at("id").as_string());
  check(verb::post, kCases, kCases, 403, application({{"on_behalf_of", zhang_id}}), agent.write);

  // Reading and listing.
  check(verb::get, one, kCase, 200, {}, zhang.read);
  check(verb::get, one, kCase, 200, {}, acceptor.read);
  check(verb::get, one, kCase, 401);
  check(verb::get, one, kCase, 404, {}, lisi.read);
  std::string typo = no;
  typo[10] = typo[10] == '9' ? '8' : static_cast<char>(typo[10] + 1);
  check(verb::get, kCases + "/" + typo, kCase, 404, {}, zhang.read);
  check(verb::get, kMine, kMine, 200, {}, zhang.read);
  check(verb::get, kMine + "?status=submitted&page=1&per_page=5", kMine, 200, {}, lisi.read);
  check(verb::get, kMine, kMine, 401);
  check(verb::get, kMine + "?per_page=101", kMine, 422, {}, zhang.read);
  check(verb::get, kCases + "?q=" + no, kCases, 200, {}, acceptor.read);
  check(verb::get, kCases + "?item_code=3301-SCJG-GTDJ", kCases, 200, {}, counter.read);
  check(verb::get, kCases, kCases, 401);
  check(verb::get, kCases, kCases, 403, {}, zhang.read);
  check(verb::get, kCases + "?page=0", kCases, 422, {}, acceptor.read);

  // The inbox.
  check(verb::get, kInbox, kInbox, 200, {}, acceptor.read);
  check(verb::get, kInbox + "?status=unclaimed&deadline=none&limit=10", kInbox, 200, {},
        acceptor.read);
  check(verb::get, kInbox, kInbox, 401);
  check(verb::get, kInbox, kInbox, 403, {}, zhang.read);
  check(verb::get, kInbox + "?status=claimed", kInbox, 422, {}, acceptor.read);

  // Claiming and accepting.
  auto [accept_id, accept_version] = OpenTask(created, "accept");
  const std::string claim = "/api/v1/tasks/" + accept_id + "/claim",
                    complete = "/api/v1/tasks/" + accept_id + "/complete";
  auto version = [](int64_t v) { return json::serialize(json::object{{"version", v}}); };
  check(verb::post, claim, kClaim, 401, version(accept_version));
  check(verb::post, claim, kClaim, 403, version(accept_version), acceptor.read);
  check(verb::post, "/api/v1/tasks/abc/claim", kClaim, 404, version(1), acceptor.write);
  check(verb::post, claim, kClaim, 404, version(accept_version), approver.write);
  check(verb::post, claim, kClaim, 400, "{\"version\":", acceptor.write);
  check(verb::post, claim, kClaim, 415, "version=1", urlencoded(acceptor));
  auto no_version = check(verb::post, claim, kClaim, 422, "{}", acceptor.write);
  EXPECT_TRUE(NamesField(no_version, "version")) << no_version.body;
  auto claimed = check(verb::post, claim, kClaim, 200, version(accept_version), acceptor.write);
  EXPECT_EQ(Member(claimed, "claimed_by"), "sc.acceptor");
  check(verb::post, claim, kClaim, 409, version(accept_version), acceptor.write);  // stale
  const int64_t accept_now = claimed.json().at("version").as_int64();
  auto decide = [](int64_t v, const std::string& decision, const std::string& opinion) {
    return json::serialize(
        json::object{{"version", v}, {"decision", decision}, {"opinion", opinion}});
  };
  check(verb::post, complete, kComplete, 401, decide(accept_now, "accept", "齐全"));
  check(verb::post, complete, kComplete, 403, decide(accept_now, "accept", "齐全"), acceptor.read);
  check(verb::post, "/api/v1/tasks/999999/complete", kComplete, 404, decide(1, "accept", "齐全"),
        acceptor.write);
  check(verb::post, complete, kComplete, 400, "[]", acceptor.write);
  check(verb::post, complete, kComplete, 415, "decision=accept", urlencoded(acceptor));
  auto wrong_kind = check(verb::post, complete, kComplete, 422,
                          decide(accept_now, "approve", "同意"), acceptor.write);
  EXPECT_TRUE(NamesField(wrong_kind, "decision")) << wrong_kind.body;
  check(verb::post, complete, kComplete, 409, decide(accept_version, "accept", "齐全"),
        acceptor.write);
  auto accepted = check(verb::post, complete, kComplete, 200,
                        decide(accept_now, "accept", "材料齐全，予以受理"), acceptor.write);
  EXPECT_EQ(Member(accepted, "status"), "under_review");
  EXPECT_EQ(Member(accepted, "promised_deadline"), "2030-06-12");

  // A supplement: asked for, refused when it is not the caller's to give, supplied.
  const std::string kAsk =
      R"({"reason":"请核对经营场所","fields":[{"name":"address","note":"与经营场所使用证明不一致"}]})";
  check(verb::post, one + "/supplement-request", kAskSupply, 401, kAsk);
  check(verb::post, one + "/supplement-request", kAskSupply, 403, kAsk, zhang.write);
  check(verb::post, one + "/supplement-request", kAskSupply, 404, kAsk, lisi.write);
  check(verb::post, one + "/supplement-request", kAskSupply, 400, "{", approver.write);
  check(verb::post, one + "/supplement-request", kAskSupply, 415, "reason=x", urlencoded(approver));
  auto nothing = check(verb::post, one + "/supplement-request", kAskSupply, 422,
                       R"({"reason":"请补正"})", approver.write);
  EXPECT_TRUE(NamesField(nothing, "materials")) << nothing.body;
  auto asked =
      check(verb::post, one + "/supplement-request", kAskSupply, 200, kAsk, approver.write);
  EXPECT_EQ(Member(asked, "status"), "supplement_requested");
  check(verb::post, one + "/supplement-request", kAskSupply, 409, kAsk, approver.write);
  const std::string kSupplied = R"({"note":"已补充经营场所证明"})";
  check(verb::post, one + "/supplement", kSupply, 401, kSupplied);
  check(verb::post, one + "/supplement", kSupply, 403, kSupplied, approver.write);
  check(verb::post, one + "/supplement", kSupply, 404, kSupplied, lisi.write);
  check(verb::post, one + "/supplement", kSupply, 400, "note", zhang.write);
  check(verb::post, one + "/supplement", kSupply, 415, "note=x", urlencoded(zhang));
  auto broken = check(verb::post, one + "/supplement", kSupply, 422, R"({"form":{"phone":"1"}})",
                      zhang.write);
  EXPECT_TRUE(NamesField(broken, "form/phone")) << broken.body;
  json::object fixed = kForm;
  fixed["address"] = "杭州市上城区解放路2号";
  auto supplied =
      check(verb::post, one + "/supplement", kSupply, 200,
            json::serialize(json::object{{"form", fixed}, {"note", "已补充"}}), zhang.write);
  EXPECT_EQ(Member(supplied, "status"), "under_review");
  check(verb::post, one + "/supplement", kSupply, 409, kSupplied, zhang.write);

  // Suspension for a public notice, and resumption.
  const std::string kNotice = R"({"procedure":"public_notice","reason":"依法公示"})";
  check(verb::post, one + "/suspend", kSuspend, 401, kNotice);
  check(verb::post, one + "/suspend", kSuspend, 403, kNotice, acceptor.write);  // no review task
  check(verb::post, one + "/suspend", kSuspend, 404, kNotice, lisi.write);
  check(verb::post, one + "/suspend", kSuspend, 400, "{,}", approver.write);
  check(verb::post, one + "/suspend", kSuspend, 415, "procedure=hearing", urlencoded(approver));
  auto procedure = check(verb::post, one + "/suspend", kSuspend, 422,
                         R"({"procedure":"vacation","reason":"休假"})", approver.write);
  EXPECT_TRUE(NamesField(procedure, "procedure")) << procedure.body;
  auto suspended = check(verb::post, one + "/suspend", kSuspend, 200, kNotice, approver.write);
  EXPECT_EQ(Member(suspended, "status"), "suspended");
  check(verb::post, one + "/suspend", kSuspend, 409, kNotice, approver.write);
  const std::string kOver = R"({"reason":"公示期满"})";
  check(verb::post, one + "/resume", kResume, 401, kOver);
  check(verb::post, one + "/resume", kResume, 403, kOver, zhang.write);
  check(verb::post, one + "/resume", kResume, 404, kOver, lisi.write);
  check(verb::post, one + "/resume", kResume, 400, "\"公示期满\"", approver.write);
  check(verb::post, one + "/resume", kResume, 415, "reason=x", urlencoded(approver));
  check(verb::post, one + "/resume", kResume, 422, R"({"reason":7})", approver.write);
  auto resumed = check(verb::post, one + "/resume", kResume, 200, kOver, approver.write);
  EXPECT_EQ(Member(resumed, "status"), "under_review");
  check(verb::post, one + "/resume", kResume, 409, {}, approver.write);  // the body is optional

  // The approval task: claimed, transferred to a colleague, decided.
  auto [review_id, review_version] = OpenTask(resumed, "Approve");
  const std::string review = "/api/v1/tasks/" + review_id;
  auto mine =
      check(verb::post, review + "/claim", kClaim, 200, version(review_version), approver.write);
  const int64_t held = mine.json().at("version").as_int64();
  auto to = [](int64_t v, const std::string& username) {
    return json::serialize(
        json::object{{"version", v}, {"to_username", username}, {"reason", "休假"}});
  };
  check(verb::post, review + "/transfer", kTransfer, 401, to(held, "sc.approver2"));
  check(verb::post, review + "/transfer", kTransfer, 403, to(held, "sc.approver2"), approver.read);
  check(verb::post, review + "/transfer", kTransfer, 404, to(held, "sc.approver2"), acceptor.write);
  check(verb::post, review + "/transfer", kTransfer, 400, "{\"version\":1,", approver.write);
  check(verb::post, review + "/transfer", kTransfer, 415, "to_username=x", urlencoded(approver));
  auto reviewer = check(verb::post, review + "/transfer", kTransfer, 422, to(held, "sc.reviewer"),
                        approver.write);  // lacks the approver role
  EXPECT_TRUE(NamesField(reviewer, "to_username")) << reviewer.body;
  check(verb::post, review + "/transfer", kTransfer, 409, to(review_version, "sc.approver2"),
        approver.write);
  auto moved = check(verb::post, review + "/transfer", kTransfer, 200, to(held, "sc.approver2"),
                     approver.write);
  EXPECT_EQ(Member(moved, "claimed_by"), "sc.approver2");
  const int64_t theirs = moved.json().at("version").as_int64();
  check(verb::post, review + "/complete", kComplete, 409, decide(theirs, "approve", "同意"),
        approver.write);  // claimed by the colleague now
  auto reasonless = check(verb::post, review + "/complete", kComplete, 422,
                          decide(theirs, "deny", ""), colleague.write);
  EXPECT_TRUE(NamesField(reasonless, "opinion")) << reasonless.body;
  auto approved = check(verb::post, review + "/complete", kComplete, 200,
                        decide(theirs, "approve", "同意"), colleague.write);
  EXPECT_EQ(Member(approved, "status"), "approved");
  EXPECT_EQ(Member(approved, "decision"), "approved");
  // The decision it was issued, sealed: to whoever may read the case, as a person.
  const std::string kDocPdf = kCase + "/documents/{kind}/pdf";
  check(verb::get, one + "/documents/approval/pdf", kDocPdf, 200, {}, zhang.read);
  check(verb::get, one + "/documents/approval/pdf", kDocPdf, 401);
  check(verb::get, one + "/documents/approval/pdf", kDocPdf, 403, {}, admin);
  check(verb::get, one + "/documents/approval/pdf", kDocPdf, 404, {}, lisi.read);
  check(verb::get, one + "/documents/denial/pdf", kDocPdf, 404, {}, zhang.read);

  // Too late to withdraw; delivered and closed by the department.
  check(verb::post, one + "/withdraw", kWithdraw, 409, "{}", zhang.write);
  const std::string kOnline = R"({"method":"online","note":"电子营业执照已发送"})";
  check(verb::post, one + "/close", kClose, 409, "{}", acceptor.write);  // not delivered yet
  check(verb::post, one + "/deliver", kDeliver, 401, kOnline);
  check(verb::post, one + "/deliver", kDeliver, 403, kOnline, approver.write);
  check(verb::post, one + "/deliver", kDeliver, 404, kOnline, lisi.write);
  check(verb::post, one + "/deliver", kDeliver, 400, "{\"method\"}", acceptor.write);
  check(verb::post, one + "/deliver", kDeliver, 415, "method=online", urlencoded(acceptor));
  auto pigeon =
      check(verb::post, one + "/deliver", kDeliver, 422, R"({"method":"pigeon"})", acceptor.write);
  EXPECT_TRUE(NamesField(pigeon, "method")) << pigeon.body;
  check(verb::post, one + "/deliver", kDeliver, 200, kOnline, acceptor.write);
  check(verb::post, one + "/deliver", kDeliver, 409, kOnline, acceptor.write);
  check(verb::post, one + "/close", kClose, 401, "{}");
  check(verb::post, one + "/close", kClose, 403, "{}", zhang.write);
  check(verb::post, one + "/close", kClose, 404, "{}", lisi.write);
  check(verb::post, one + "/close", kClose, 400, "{\"reason\":", acceptor.write);
  check(verb::post, one + "/close", kClose, 415, "reason=x", urlencoded(acceptor));
  check(verb::post, one + "/close", kClose, 422, R"({"why":"done"})", acceptor.write);
  auto closed =
      check(verb::post, one + "/close", kClose, 200, R"({"reason":"已办结"})", acceptor.write);
  EXPECT_EQ(Member(closed, "status"), "closed");

  // Withdrawal before the decision.
  auto second = client.SendJson(verb::post, kCases, application(), zhang.write);
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string two = kCases + "/" + Member(second, "tracking_no");
  check(verb::post, two + "/withdraw", kWithdraw, 401, "{}");
  check(verb::post, two + "/withdraw", kWithdraw, 403, "{}", acceptor.write);  // staff
  check(verb::post, two + "/withdraw", kWithdraw, 404, "{}", lisi.write);
  check(verb::post, two + "/withdraw", kWithdraw, 400, "{\"reason\"", zhang.write);
  check(verb::post, two + "/withdraw", kWithdraw, 415, "reason=x", urlencoded(zhang));
  check(verb::post, two + "/withdraw", kWithdraw, 422, R"({"reason":["x"]})", zhang.write);
  auto withdrawn =
      check(verb::post, two + "/withdraw", kWithdraw, 200, R"({"reason":"不再需要"})", zhang.write);
  EXPECT_EQ(Member(withdrawn, "status"), "withdrawn");
  check(verb::post, two + "/withdraw", kWithdraw, 409, {}, zhang.write);  // the body is optional

  // Messages.
  auto messages = check(verb::get, kMessages, kMessages, 200, {}, zhang.read);
  check(verb::get, kMessages + "?limit=1", kMessages, 200, {}, zhang.read);
  check(verb::get, kMessages, kMessages, 401);
  check(verb::get, kMessages + "?limit=0", kMessages, 422, {}, zhang.read);
  const json::value inbox = messages.json();
  ASSERT_FALSE(inbox.at("messages").as_array().empty()) << messages.body;
  const std::string first =
      kMessages + "/" + std::to_string(inbox.at("messages").at(0).at("id").as_int64());
  check(verb::post, first + "/read", kRead, 401);
  check(verb::post, first + "/read", kRead, 403, {}, zhang.read);
  check(verb::post, first + "/read", kRead, 404, {}, lisi.write);
  check(verb::post, kMessages + "/abc/read", kRead, 404, {}, zhang.write);
  check(verb::post, first + "/read", kRead, 204, {}, zhang.write);
  auto after = client.Get(kMessages, zhang.read).json();
  EXPECT_EQ(after.at("unread").as_int64(), inbox.at("unread").as_int64() - 1);

  // A bundle application fans out into one case per item.
  json::object baby{{"baby_name", "张小宝"},      {"baby_gender", "女"},
                    {"birth_date", "2030-06-01"}, {"birth_place", "杭州市妇产科医院"},
                    {"mother_name", "王芳"},      {"mother_id", "330102199203074529"},
                    {"father_name", "张三"},      {"father_id", "330102199003073017"},
                    {"follow", "随父"},           {"address", "杭州市上城区解放路1号"},
                    {"phone", "13800000001"}};
  std::vector<std::string> baby_items;
  const json::value baby_bundle = client.Get("/api/v1/catalog/bundles/ONE-BABY").json();
  for (const auto& i : baby_bundle.at("items").as_array()) baby_items.emplace_back(i.as_string());
  const json::array baby_copies = required_copies(baby_items);
  auto bundle = [&](const json::object& f, bool with_materials = true) {
    json::object body{{"bundle_code", "ONE-BABY"}, {"region_code", "330102"}, {"form", f}};
    if (with_materials) body["materials"] = baby_copies;
    return json::serialize(body);
  };
  check(verb::post, kBundles, kBundles, 401, bundle(baby));
  check(verb::post, kBundles, kBundles, 403, bundle(baby), acceptor.write);  // staff
  check(verb::post, kBundles, kBundles, 400, "{\"bundle_code\":", zhang.write);
  check(verb::post, kBundles, kBundles, 415, "bundle_code=ONE-BABY", urlencoded(zhang));
  json::object nameless = baby;
  nameless.erase("baby_name");
  check(verb::post, kBundles, kBundles, 422, bundle(nameless), zhang.write);
  auto bare = check(verb::post, kBundles, kBundles, 422, bundle(baby, false), zhang.write);
  EXPECT_TRUE(NamesField(bare, "materials")) << bare.body;  // required materials missing
  auto fanned = check(verb::post, kBundles, kBundles, 201, bundle(baby), zhang.write);
  const std::string bundle_id = Member(fanned, "id");
  EXPECT_EQ(fanned.header("location"), kBundles + "/" + bundle_id);
  EXPECT_GE(fanned.json().at("cases").as_array().size(), 3u) << fanned.body;
  check(verb::get, kBundles + "/" + bundle_id, kBundle, 200, {}, zhang.read);
  check(verb::get, kBundles + "/" + bundle_id, kBundle, 401);
  // Idempotency-Key: the retry is the stored first answer; the key with another body, 422.
  auto keyed = zhang.write;
  keyed["Idempotency-Key"] = "openapi-bundle-1";
  auto once = check(verb::post, kBundles, kBundles, 201, bundle(baby), keyed);
  auto twice = check(verb::post, kBundles, kBundles, 201, bundle(baby), keyed);
  EXPECT_EQ(twice.header("idempotent-replayed"), "true");
  EXPECT_EQ(twice.body, once.body);
  json::object renamed = baby;
  renamed["baby_name"] = "另一个名字";
  check(verb::post, kBundles, kBundles, 422, bundle(renamed), keyed);
  check(verb::get, kBundles + "/" + bundle_id, kBundle, 404, {}, lisi.read);

  ExpectAllProbed(checker, IsCasesPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiCases);

}  // namespace
}  // namespace ow::testing
