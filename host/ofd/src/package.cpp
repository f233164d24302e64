// The OFD container (package.h): a strict ZIP reader with hard limits and a
// small deterministic writer, both on zlib (raw deflate, RFC 1951).
//
// Why not Poco::Zip or libzip: the limits must be enforced from the central
// directory before anything is inflated, and entries checked against each
// other (overlap, duplicates); Poco::Zip parses the local headers as a stream
// and inflates without a ratio limit. Reading the central directory
// ourselves keeps every decision about outside bytes in this one file, which
// the fuzz_ofd_package harness exercises.
#include <zhaoyin/ofd/package.h>

#include <algorithm>
#include <set>
#include <zlib.h>

namespace zhaoyin::ofd {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;     // APPNOTE §4.3.7
constexpr std::uint32_t kCentralHeader = 0x02014b50;   // §4.3.12
constexpr std::uint32_t kEndOfCentral = 0x06054b50;    // §4.3.16
constexpr std::size_t kEndOfCentralSize = 22;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kLocalHeaderSize = 30;

[[noreturn]] void malformed(const std::string& message) { throw OfdError("malformed_ofd", "not a sound OFD package: " + message); }
[[noreturn]] void over_limit(const std::string& message) { throw OfdError("ofd_limit_exceeded", message); }

std::uint16_t u16(const Bytes& b, std::size_t at) {
  if (at + 2 > b.size()) malformed("truncated");
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
std::uint32_t u32(const Bytes& b, std::size_t at) {
  if (at + 4 > b.size()) malformed("truncated");
  return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
         (static_cast<std::uint32_t>(b[at + 2]) << 16) | (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

struct CentralEntry {
  std::string name;
  std::uint16_t flags = 0;
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0;
  std::uint64_t size = 0;
  std::uint64_t local_offset = 0;
  std::uint64_t data_begin = 0;  // filled from the local header
};

// The end of central directory record: the last one in the final 64 KiB + 22 bytes.
std::size_t find_end_of_central(const Bytes& zip) {
  if (zip.size() < kEndOfCentralSize) malformed("shorter than an end of central directory record");
  const std::size_t lowest = zip.size() > kEndOfCentralSize + 0xFFFF ? zip.size() - kEndOfCentralSize - 0xFFFF : 0;
  for (std::size_t at = zip.size() - kEndOfCentralSize + 1; at-- > lowest;) {
    if (u32(zip, at) == kEndOfCentral && at + kEndOfCentralSize + u16(zip, at + 20) == zip.size()) return at;
  }
  malformed("no end of central directory record");
}

Bytes inflate_entry(const Bytes& zip, const CentralEntry& e) {
  const std::uint8_t* in = zip.data() + e.data_begin;
  if (e.method == 0) {
    if (e.compressed != e.size) malformed(e.name + ": a stored entry whose sizes differ");
    return Bytes(in, in + e.size);
  }
  Bytes out(static_cast<std::size_t>(e.size));
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw OfdError("malformed_ofd", "zlib could not start");
  z.next_in = const_cast<Bytef*>(in);
  z.avail_in = static_cast<uInt>(e.compressed);
  std::uint8_t spill = 0;  // one byte past the declared size: inflating into it means the entry lied
  z.next_out = out.empty() ? &spill : out.data();
  z.avail_out = out.empty() ? 1 : static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_FINISH);
  if (rc == Z_BUF_ERROR && z.avail_out == 0 && !out.empty()) {
    z.next_out = &spill;
    z.avail_out = 1;
    rc = inflate(&z, Z_FINISH);
  }
  const std::uint64_t produced = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    if (produced >= e.size && z.avail_out == 0) over_limit(e.name + " inflates to more than its declared " + std::to_string(e.size) + " bytes");
    malformed(e.name + ": the deflate data is damaged");
  }
  if (produced != e.size) malformed(e.name + ": inflates to " + std::to_string(produced) + " bytes, not the declared " + std::to_string(e.size));
  return out;
}

}  // namespace

const Bytes& Package::at(const std::string& path) const {
  const auto it = files.find(path);
  if (it == files.end()) throw OfdError("malformed_ofd", "the package has no file " + path);
  return it->second;
}

void Package::put(const std::string& path, Bytes content) {
  if (!files.count(path)) order.push_back(path);
  files[path] = std::move(content);
}

void check_entry_name(const std::string& name, const PackageLimits& limits) {
  if (name.empty() || name.size() > limits.max_name_length)
    malformed("an entry name is empty or longer than " + std::to_string(limits.max_name_length) + " characters");
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '\\' || c == ':')
      malformed("the entry name \"" + name.substr(0, 64) + "\" has a character outside printable ASCII, or \\ or :");
  }
  if (name.front() == '/') malformed("the entry name \"" + name + "\" is absolute");
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    const std::string segment = name.substr(start, end - start);
    const bool last = end == name.size();
    if ((segment.empty() && !last) || segment == "." || segment == "..")
      malformed("the entry name \"" + name + "\" has an empty, . or .. segment");
    start = end + 1;
  }
}

std::string resolve_location(const std::string& referring_file, const std::string& location) {
  std::string loc = location;
  // Trim the XML text's surrounding white space; ST_Loc itself holds none.
  while (!loc.empty() && (loc.back() == ' ' || loc.back() == '\n' || loc.back() == '\r' || loc.back() == '\t')) loc.pop_back();
  std::size_t lead = 0;
  while (lead < loc.size() && (loc[lead] == ' ' || loc[lead] == '\n' || loc[lead] == '\r' || loc[lead] == '\t')) ++lead;
  loc = loc.substr(lead);
  if (loc.empty()) malformed("an empty location");
  std::vector<std::string> parts;
  if (loc.front() != '/') {
    const auto slash = referring_file.rfind('/');
    if (slash != std::string::npos) loc = referring_file.substr(0, slash + 1) + loc;
  }
  std::size_t start = 0;
  while (start <= loc.size()) {
    std::size_t end = loc.find('/', start);
    if (end == std::string::npos) end = loc.size();
    const std::string segment = loc.substr(start, end - start);
    if (segment == "..") {
      if (parts.empty()) malformed("the location \"" + location.substr(0, 200) + "\" leaves the package");
      parts.pop_back();
    } else if (!segment.empty() && segment != ".") {
      parts.push_back(segment);
    }
    start = end + 1;
  }
  if (parts.empty()) malformed("the location \"" + location.substr(0, 200) + "\" names no file");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

Package read_package(const Bytes& zip, const PackageLimits& limits) {
  const std::size_t eocd = find_end_of_central(zip);
  if (u16(zip, eocd + 4) != 0 || u16(zip, eocd + 6) != 0) throw OfdError("unsupported_ofd", "a multi-volume ZIP");
  const std::uint16_t entries_here = u16(zip, eocd + 8);
  const std::uint16_t entries = u16(zip, eocd + 10);
  const std::uint32_t cd_size = u32(zip, eocd + 12);
  const std::uint32_t cd_offset = u32(zip, eocd + 16);
  if (entries == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF)
    throw OfdError("unsupported_ofd", "a ZIP64 package (OFD packages are far below 4 GiB)");
  if (entries_here != entries) malformed("the entry counts of the end record disagree");
  // The limit on entries applies before any entry is read (a central directory
  // of a million empty names is cheap to send and expensive to walk).
  if (entries > limits.max_entries)
    over_limit("the package has " + std::to_string(entries) + " entries, more than the limit of " + std::to_string(limits.max_entries));
  if (static_cast<std::uint64_t>(cd_offset) + cd_size > eocd) malformed("the central directory overlaps its end record");

  std::vector<CentralEntry> list;
  std::set<std::string> names;
  std::uint64_t total = 0;
  std::size_t at = cd_offset;
  for (std::uint16_t i = 0; i < entries; ++i) {
    if (at + kCentralHeaderSize > static_cast<std::size_t>(cd_offset) + cd_size || u32(zip, at) != kCentralHeader)
      malformed("central directory entry " + std::to_string(i) + " is damaged");
    CentralEntry e;
    e.flags = u16(zip, at + 8);
    e.method = u16(zip, at + 10);
    e.crc = u32(zip, at + 16);
    e.compressed = u32(zip, at + 20);
    e.size = u32(zip, at + 24);
    const std::size_t name_len = u16(zip, at + 28), extra_len = u16(zip, at + 30), comment_len = u16(zip, at + 32);
    if (u16(zip, at + 34) != 0) throw OfdError("unsupported_ofd", "a multi-volume ZIP");
    e.local_offset = u32(zip, at + 42);
    const std::size_t next = at + kCentralHeaderSize + name_len + extra_len + comment_len;
    if (next > static_cast<std::size_t>(cd_offset) + cd_size) malformed("central directory entry " + std::to_string(i) + " overruns it");
    e.name.assign(zip.begin() + static_cast<long>(at + kCentralHeaderSize),
                  zip.begin() + static_cast<long>(at + kCentralHeaderSize + name_len));
    at = next;
    if (e.size == 0xFFFFFFFF || e.compressed == 0xFFFFFFFF || e.local_offset == 0xFFFFFFFF)
      throw OfdError("unsupported_ofd", "a ZIP64 entry");
    if (e.flags & 0x0041) throw OfdError("unsupported_ofd", e.name.substr(0, 64) + " is encrypted");
    const bool directory = !e.name.empty() && e.name.back() == '/';
    check_entry_name(directory ? e.name.substr(0, e.name.size() - 1) : e.name, limits);
    if (!names.insert(directory ? e.name.substr(0, e.name.size() - 1) : e.name).second)
      malformed("the package has two entries named " + e.name);
    if (e.method != 0 && e.method != 8)
      throw OfdError("unsupported_ofd", e.name + " uses compression method " + std::to_string(e.method) + " (only stored and deflate)");
    if (e.size > limits.max_entry_size)
      over_limit(e.name + " inflates to " + std::to_string(e.size) + " bytes, over the limit of " + std::to_string(limits.max_entry_size));
    total += e.size;
    if (total > limits.max_total_size)
      over_limit("the package inflates to more than " + std::to_string(limits.max_total_size) + " bytes");
    // A zip bomb: a few bytes that claim to inflate to a great many.
    if (e.size > 0 && (e.compressed == 0 || e.size / e.compressed > limits.max_ratio))
      over_limit(e.name + " claims a compression ratio over " + std::to_string(limits.max_ratio) + ":1");
    if (directory) {
      if (e.size != 0) malformed("the directory entry " + e.name + " has content");
      continue;
    }
    list.push_back(e);
  }

  // Local headers, and no two entries' data overlapping (the overlapping-entry zip bomb).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
  for (auto& e : list) {
    if (e.local_offset + kLocalHeaderSize > cd_offset || u32(zip, e.local_offset) != kLocalHeader)
      malformed(e.name + ": no local header where the central directory says");
    const std::size_t local_name = u16(zip, e.local_offset + 26), local_extra = u16(zip, e.local_offset + 28);
    const std::string name(zip.begin() + static_cast<long>(e.local_offset + kLocalHeaderSize),
                           zip.begin() + static_cast<long>(std::min<std::uint64_t>(e.local_offset + kLocalHeaderSize + local_name, zip.size())));
    if (name != e.name) malformed(e.name + ": the local header names another file");
    if (u16(zip, e.local_offset + 8) != e.method) malformed(e.name + ": the local header's method differs");
    e.data_begin = e.local_offset + kLocalHeaderSize + local_name + local_extra;
    if (e.data_begin + e.compressed > cd_offset) malformed(e.name + ": its data runs into the central directory");
    spans.emplace_back(e.local_offset, e.data_begin + e.compressed);
  }
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i)
    if (spans[i].first < spans[i - 1].second) malformed("two entries share bytes");

  Package package;
  for (const auto& e : list) {
    Bytes content = inflate_entry(zip, e);
    const auto crc = static_cast<std::uint32_t>(crc32(0L, content.data(), static_cast<uInt>(content.size())));
    if (crc != e.crc) malformed(e.name + ": CRC-32 mismatch");
    package.order.push_back(e.name);
    package.files.emplace(e.name, std::move(content));
  }
  return package;
}

namespace {

void put16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}

Bytes deflate_raw(const Bytes& in) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw OfdError("invalid_argument", "zlib could not start");
  Bytes out(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw OfdError("invalid_argument", "zlib could not deflate");
  return out;
}

}  // namespace

Bytes write_package(const Package& package) {
  constexpr std::uint16_t kDosTime = 0, kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01 00:00: reproducible bytes
  Bytes out, central;
  std::size_t count = 0;
  for (const auto& name : package.order) {
    check_entry_name(name);
    const Bytes& content = package.at(name);
    if (content.size() >= 0xFFFFFFFFu || out.size() >= 0xFFFFFFFFu) throw OfdError("invalid_argument", "a file too large for a ZIP without ZIP64");
    Bytes packed = deflate_raw(content);
    const bool stored = packed.size() >= content.size();
    if (stored) packed = content;
    const auto crc = static_cast<std::uint32_t>(crc32(0L, content.data(), static_cast<uInt>(content.size())));
    const auto offset = static_cast<std::uint32_t>(out.size());
    auto header = [&](Bytes& b, bool local) {
      put32(b, local ? kLocalHeader : kCentralHeader);
      if (!local) put16(b, 20);  // made by: 2.0
      put16(b, 20);              // needed: 2.0 (deflate)
      put16(b, 0x0800);          // flags: names are UTF-8 (APPNOTE §4.4.4 bit 11)
      put16(b, stored ? 0 : 8);
      put16(b, kDosTime);
      put16(b, kDosDate);
      put32(b, crc);
      put32(b, static_cast<std::uint32_t>(packed.size()));
      put32(b, static_cast<std::uint32_t>(content.size()));
      put16(b, static_cast<std::uint32_t>(name.size()));
      put16(b, 0);  // extra
      if (!local) {
        put16(b, 0);  // comment
        put16(b, 0);  // disk
        put16(b, 0);  // internal attributes
        put32(b, 0);  // external attributes
        put32(b, offset);
      }
      b.insert(b.end(), name.begin(), name.end());
    };
    header(out, true);
    out.insert(out.end(), packed.begin(), packed.end());
    header(central, false);
    ++count;
  }
  if (count > 0xFFFE) throw OfdError("invalid_argument", "too many files for a ZIP without ZIP64");
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, kEndOfCentral);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(count));
  put16(out, static_cast<std::uint32_t>(count));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

}  // namespace zhaoyin::ofd
