#pragma once
// OFD packages for the tests: the minimal one-page OFD written by hand from
// GB/T 33190-2016 (tests/ofd/fixtures/minimal), and hostile ZIP containers
// written byte by byte (names, sizes and ratios our own writer refuses to make).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <zhaoyin/ofd/package.h>
#include <zlib.h>

namespace zhaoyin::test {

inline std::filesystem::path ofd_fixture_dir() { return std::filesystem::path(ZHAOYIN_SOURCE_DIR) / "tests/ofd/fixtures/minimal"; }

inline ofd::Package minimal_ofd_package() {
  ofd::Package p;
  const auto root = ofd_fixture_dir();
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.is_regular_file()) paths.push_back(std::filesystem::relative(e.path(), root).generic_string());
  std::sort(paths.begin(), paths.end());
  // OFD.xml first, as producers write it.
  std::stable_partition(paths.begin(), paths.end(), [](const std::string& s) { return s == "OFD.xml"; });
  for (const auto& path : paths) {
    std::ifstream in(root / path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    const std::string text = s.str();
    p.put(path, ofd::Bytes(text.begin(), text.end()));
  }
  return p;
}

inline ofd::Bytes minimal_ofd() { return ofd::write_package(minimal_ofd_package()); }

// A ZIP written without any of the reader's rules: each entry as given.
struct RawEntry {
  std::string name;
  ofd::Bytes data;                  // as stored (already deflated when method is 8)
  std::uint32_t size = 0;           // declared inflated size
  std::uint32_t crc = 0;
  std::uint16_t method = 0;
};

inline RawEntry stored_entry(const std::string& name, const std::string& text) {
  RawEntry e{name, ofd::Bytes(text.begin(), text.end()), static_cast<std::uint32_t>(text.size()), 0, 0};
  e.crc = static_cast<std::uint32_t>(crc32(0L, e.data.data(), static_cast<uInt>(e.data.size())));
  return e;
}

inline RawEntry deflated_entry(const std::string& name, const ofd::Bytes& content) {
  RawEntry e;
  e.name = name;
  e.method = 8;
  e.size = static_cast<std::uint32_t>(content.size());
  e.crc = static_cast<std::uint32_t>(crc32(0L, content.data(), static_cast<uInt>(content.size())));
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  e.data.resize(deflateBound(&z, static_cast<uLong>(content.size())));
  z.next_in = const_cast<Bytef*>(content.data());
  z.avail_in = static_cast<uInt>(content.size());
  z.next_out = e.data.data();
  z.avail_out = static_cast<uInt>(e.data.size());
  deflate(&z, Z_FINISH);
  e.data.resize(z.total_out);
  deflateEnd(&z);
  return e;
}

inline ofd::Bytes raw_zip(const std::vector<RawEntry>& entries) {
  ofd::Bytes out, central;
  auto u16 = [](ofd::Bytes& b, std::uint32_t v) { b.push_back(v & 0xFF); b.push_back((v >> 8) & 0xFF); };
  auto u32 = [&](ofd::Bytes& b, std::uint32_t v) { u16(b, v & 0xFFFF); u16(b, v >> 16); };
  for (const auto& e : entries) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    for (int local = 1; local >= 0; --local) {
      ofd::Bytes& b = local ? out : central;
      u32(b, local ? 0x04034b50 : 0x02014b50);
      if (!local) u16(b, 20);
      u16(b, 20); u16(b, 0); u16(b, e.method); u16(b, 0); u16(b, 0x21);
      u32(b, e.crc); u32(b, static_cast<std::uint32_t>(e.data.size())); u32(b, e.size);
      u16(b, static_cast<std::uint32_t>(e.name.size())); u16(b, 0);
      if (!local) { u16(b, 0); u16(b, 0); u16(b, 0); u32(b, 0); u32(b, offset); }
      b.insert(b.end(), e.name.begin(), e.name.end());
      if (local) b.insert(b.end(), e.data.begin(), e.data.end());
    }
  }
  const auto cd = static_cast<std::uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  u32(out, 0x06054b50); u16(out, 0); u16(out, 0);
  u16(out, static_cast<std::uint32_t>(entries.size())); u16(out, static_cast<std::uint32_t>(entries.size()));
  u32(out, static_cast<std::uint32_t>(central.size())); u32(out, cd); u16(out, 0);
  return out;
}

// The minimal OFD's files as raw stored entries, plus `extra`.
inline std::vector<RawEntry> minimal_raw_entries() {
  std::vector<RawEntry> list;
  const auto p = minimal_ofd_package();
  for (const auto& path : p.order) list.push_back(stored_entry(path, std::string(p.at(path).begin(), p.at(path).end())));
  return list;
}

}  // namespace zhaoyin::test
