// Type sniffing (content only; OFD = a ZIP with OFD.xml at its root), file name
// cleaning, and the command-line virus scanner's verdicts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "materials/model.h"
#include "materials/scanner.h"
#include "materials/service.h"
#include "materials/sniff.h"

namespace ow::materials {
namespace {

void Put16(std::string& s, uint32_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, v & 0xFFFF);
  Put16(s, v >> 16);
}

// A ZIP archive of stored (uncompressed) entries; CRCs are left zero, which a sniffer
// that only reads the directory does not look at.
std::string Zip(const std::vector<std::pair<std::string, std::string>>& entries,
                const std::string& comment = {}) {
  std::string out, dir;
  for (const auto& [name, data] : entries) {
    uint32_t offset = static_cast<uint32_t>(out.size());
    out += std::string("PK\x03\x04", 4);
    Put16(out, 10);  // version needed
    Put16(out, 0);   // flags
    Put16(out, 0);   // stored
    Put32(out, 0);   // time, date
    Put32(out, 0);   // crc
    Put32(out, static_cast<uint32_t>(data.size()));
    Put32(out, static_cast<uint32_t>(data.size()));
    Put16(out, static_cast<uint32_t>(name.size()));
    Put16(out, 0);
    out += name + data;
    dir += std::string("PK\x01\x02", 4);
    Put16(dir, 20);
    Put16(dir, 10);
    Put16(dir, 0);
    Put16(dir, 0);
    Put32(dir, 0);
    Put32(dir, 0);
    Put32(dir, static_cast<uint32_t>(data.size()));
    Put32(dir, static_cast<uint32_t>(data.size()));
    Put16(dir, static_cast<uint32_t>(name.size()));
    Put16(dir, 0);  // extra
    Put16(dir, 0);  // comment
    Put16(dir, 0);  // disk
    Put16(dir, 0);  // internal attributes
    Put32(dir, 0);  // external attributes
    Put32(dir, offset);
    dir += name;
  }
  uint32_t dir_at = static_cast<uint32_t>(out.size());
  out += dir;
  out += std::string("PK\x05\x06", 4);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<uint32_t>(entries.size()));
  Put16(out, static_cast<uint32_t>(entries.size()));
  Put32(out, static_cast<uint32_t>(dir.size()));
  Put32(out, dir_at);
  Put16(out, static_cast<uint32_t>(comment.size()));
  out += comment;
  return out;
}

TEST(Sniff, KnowsTheAcceptedTypesByTheirFirstBytes) {
  EXPECT_EQ(SniffBytes("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), kPdf);
  EXPECT_EQ(SniffBytes("\xFF\xD8\xFF\xE0\x00\x10JFIF"), kJpeg);
  EXPECT_EQ(SniffBytes(std::string("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", 16)), kPng);
  // Near misses and everything else.
  EXPECT_EQ(SniffBytes(""), std::nullopt);
  EXPECT_EQ(SniffBytes("%PDF"), std::nullopt);
  EXPECT_EQ(SniffBytes(" %PDF-1.7"), std::nullopt);
  EXPECT_EQ(SniffBytes("\xFF\xD8"), std::nullopt);
  EXPECT_EQ(SniffBytes("\x89PNG\r\n\x1A"), std::nullopt);
  EXPECT_EQ(SniffBytes("MZ\x90\x00\x03\x00\x00\x00"), std::nullopt);  // a Windows .exe
  EXPECT_EQ(SniffBytes("hello, world\n"), std::nullopt);
  EXPECT_EQ(SniffBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), std::nullopt);
}

TEST(Sniff, OfdIsAZipWithOfdXmlAtItsRoot) {
  std::string ofd = Zip({{"OFD.xml", "<ofd:OFD/>"}, {"Doc_0/Document.xml", "<ofd:Document/>"}});
  EXPECT_EQ(SniffBytes(ofd), kOfd);
  EXPECT_EQ(SniffBytes(Zip({{"Doc_0/Document.xml", "x"}, {"OFD.xml", "y"}})), kOfd);
  // A trailing archive comment does not hide the directory.
  EXPECT_EQ(SniffBytes(Zip({{"OFD.xml", "y"}}, std::string(300, 'c'))), kOfd);
  // Plain ZIPs, OFD.xml in a folder, or a look-alike name are refused.
  EXPECT_EQ(SniffBytes(Zip({{"readme.txt", "hello"}})), std::nullopt);
  EXPECT_EQ(SniffBytes(Zip({{"Doc_0/OFD.xml", "y"}})), std::nullopt);
  EXPECT_EQ(SniffBytes(Zip({{"ofd.xml", "y"}})), std::nullopt);
  EXPECT_EQ(SniffBytes(Zip({{"OFD.xml.exe", "y"}})), std::nullopt);
  EXPECT_EQ(SniffBytes(Zip({})), std::nullopt);
  // Damaged archives: cut short, or a directory pointing past the end.
  EXPECT_EQ(SniffBytes(ofd.substr(0, ofd.size() - 5)), std::nullopt);
  std::string lying = ofd;
  lying[lying.size() - 6] = '\x7F';  // the directory offset now points elsewhere
  EXPECT_EQ(SniffBytes(lying), std::nullopt);
  // Only the first bytes say "ZIP": the name OFD.xml inside other content is not enough.
  EXPECT_EQ(SniffBytes("not a zip OFD.xml PK\x05\x06"), std::nullopt);
}

TEST(Sniff, ReadsFiles) {
  std::string path = ::testing::TempDir() + "/sniff-test.ofd";
  {
    std::ofstream out(path, std::ios::binary);
    out << Zip({{"OFD.xml", "<ofd:OFD/>"}});
  }
  auto type = SniffFile(path);
  ASSERT_TRUE(type);
  EXPECT_EQ(*type, kOfd);
  std::filesystem::remove(path);
  auto missing = SniffFile(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::kUnavailable);
}

TEST(CleanFilename, DropsFoldersAndRefusesControlCharacters) {
  EXPECT_EQ(Service::CleanFilename("户口本.pdf", kPdf).value(), "户口本.pdf");
  EXPECT_EQ(Service::CleanFilename("C:\\Users\\me\\scan 1.jpg", kJpeg).value(), "scan 1.jpg");
  EXPECT_EQ(Service::CleanFilename("../../etc/passwd", kPdf).value(), "passwd");
  EXPECT_EQ(Service::CleanFilename("  ", kPng).value(), "material.png");
  EXPECT_EQ(Service::CleanFilename("", kOfd).value(), "material.ofd");
  EXPECT_EQ(Service::CleanFilename("dir/", kPdf).value(), "material.pdf");
  for (const std::string& bad : {std::string("a\nb.pdf"), std::string("a\x7F.pdf"),
                                 std::string("\xC3\x28.pdf"), std::string(256, 'a')}) {
    auto r = Service::CleanFilename(bad, kPdf);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].field, "filename");
  }
}

class CommandScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/scanner-test-" + std::to_string(::getpid()) + ".pdf";
    std::ofstream(path_) << "%PDF-1.7\n";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(CommandScannerTest, ExitStatusIsTheVerdict) {
  using std::chrono::seconds;
  // sh -c SCRIPT NAME PATH: the script sees the path as $1.
  auto clean = CommandScanner("sh -c 'test -f \"$1\"' scanner", seconds(10));
  ASSERT_TRUE(clean);
  EXPECT_EQ((*clean)(path_).value(), kClean);

  auto infected =
      CommandScanner("sh -c 'echo \"$1: Eicar-Signature FOUND\"; exit 1' scanner", seconds(10));
  ASSERT_TRUE(infected);
  auto verdict = (*infected)(path_);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, Code::kInvalidArgument);
  EXPECT_EQ(verdict.error().message,
            "rejected by the virus scanner: upload: Eicar-Signature FOUND");
  ASSERT_EQ(verdict.error().fields.size(), 1u);
  EXPECT_EQ(verdict.error().fields[0].field, "file");

  auto broken = CommandScanner("sh -c 'exit 2' scanner", seconds(10));
  ASSERT_TRUE(broken);
  EXPECT_EQ((*broken)(path_).error().code, Code::kUnavailable);

  auto missing = CommandScanner("/nonexistent/clamdscan --no-summary", seconds(10));
  ASSERT_TRUE(missing);
  EXPECT_EQ((*missing)(path_).error().code, Code::kUnavailable);

  EXPECT_FALSE(CommandScanner("   ", seconds(10)));
  EXPECT_FALSE(CommandScanner("sh -c 'unclosed", seconds(10)));
}

TEST_F(CommandScannerTest, ASlowScannerIsKilled) {
  auto slow = CommandScanner("sh -c 'sleep 30' scanner", std::chrono::milliseconds(300));
  ASSERT_TRUE(slow);
  auto start = std::chrono::steady_clock::now();
  auto verdict = (*slow)(path_);
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, Code::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ow::materials
