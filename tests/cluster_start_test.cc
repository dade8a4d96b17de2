// Several servers starting at the same moment on one fresh database, as a province's nodes
// do after a reboot (scripts/cluster.sh starts them together): every one comes up (the
// migrations serialize on their lock; each domain's bootstrap rows — the ticket process,
// the licence CA, the token-signing keys — are made once, the losers of a race reading the
// winner's), and they then answer alike. On PostgreSQL this is a real race; on SQLite the
// write lock serializes it.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace ow::testing {
namespace {

class ClusterStartTest : public StoreTest {
 protected:
  // Really fresh: the migrations race too, not only the bootstrap rows.
  TestDatabase::Schema schema() const override { return TestDatabase::Schema::kEmpty; }
};

TEST_P(ClusterStartTest, FourServersStartTogetherOnOneFreshDatabase) {
  constexpr int kServers = 4;
  std::vector<std::unique_ptr<TestServer>> servers(kServers);
  std::vector<std::string> errors(kServers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      // All threads start creating their server at the same moment.
      ready.fetch_add(1);
      while (ready.load() < kServers) std::this_thread::yield();
      try {
        servers[i] = std::make_unique<TestServer>(db_url());
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kServers; ++i) {
    EXPECT_EQ(errors[i], "") << "server " << i;
    ASSERT_NE(servers[i], nullptr) << "server " << i;
  }
  // One CA, one set of signing keys: every server publishes the same JWKS and authorities.
  std::string jwks, authorities;
  for (int i = 0; i < kServers; ++i) {
    HttpClient client(servers[i]->port());
    auto ready_answer = client.Get("/readyz");
    EXPECT_EQ(ready_answer.status, 200) << ready_answer.body;
    auto k = client.Get("/oauth2/jwks");
    ASSERT_EQ(k.status, 200) << k.body;
    auto a = client.Get("/api/v1/pki/authorities");
    ASSERT_EQ(a.status, 200) << a.body;
    if (i == 0) {
      jwks = k.body;
      authorities = a.body;
    } else {
      EXPECT_EQ(k.body, jwks) << "server " << i;
      EXPECT_EQ(a.body, authorities) << "server " << i;
    }
  }
}

}  // namespace

OW_INSTANTIATE_STORE_TESTS(ClusterStartTest);

}  // namespace ow::testing
