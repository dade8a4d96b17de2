// The data exchange as the cases module sees it (cases::DataExchange): the platform's
// own case handling is a consumer like any department's system: the OpenID Connect
// client `client_id`, registered as a system with grants, whose queries are checked,
// signed and logged exactly like an external consumer's.
#ifndef OW_APP_CASE_DATA_H_
#define OW_APP_CASE_DATA_H_

#include <string>

#include "cases/service.h"
#include "db/database.h"
#include "exchange/service.h"

namespace ow::app {

class CaseDataExchange final : public cases::DataExchange {
 public:
  CaseDataExchange(db::Database& db, exchange::Service& exchange, std::string client_id)
      : db_(db), exchange_(exchange), client_id_(std::move(client_id)) {}

  Result<cases::DataResourceInfo> Describe(const std::string& code) override;
  Result<cases::FetchedData> Fetch(db::Connection& c, const std::string& resource,
                                   const std::string& subject,
                                   const std::vector<std::string>& fields,
                                   const std::string& purpose,
                                   const std::string& case_tracking) override;

 private:
  db::Database& db_;
  exchange::Service& exchange_;
  std::string client_id_;
};

}  // namespace ow::app

#endif  // OW_APP_CASE_DATA_H_
