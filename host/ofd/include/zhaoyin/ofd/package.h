#pragma once
// An OFD package (GB/T 33190-2016 §7.2 文件结构): a ZIP container whose
// entry "OFD.xml" is the main entry and whose other entries are the
// documents, pages, resources and signatures it refers to by path.
//
// OFD files come from outside (a relying party uploads one to be sealed, or
// anyone sends one to be verified), so the reader sets hard limits before it
// inflates a single byte: the number of entries, each entry's and the total
// inflated size, the compression ratio (zip bombs), and the entry names (no
// `..`, no absolute or drive paths, no backslashes, no duplicates). Entries
// overlapping each other or the central directory are refused, as are ZIP64,
// encryption, data descriptors that disagree, and methods other than stored
// and deflate. Every entry's CRC-32 is checked.
//
// The ZIP format is APPNOTE.TXT (PKWARE) 6.3: local file headers (§4.3.7),
// central directory (§4.3.12), end of central directory (§4.3.16).
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace zhaoyin::ofd {

using Bytes = std::vector<std::uint8_t>;

// code(): malformed_ofd (not a sound package or OFD structure),
// ofd_limit_exceeded (over a limit below), unsupported_ofd (sound, but a
// feature Zhaoyin does not sign: ZIP64, encryption, several documents, ...),
// placement_off_page, invalid_argument.
class OfdError : public std::runtime_error {
 public:
  OfdError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

struct PackageLimits {
  std::size_t max_entries = 2000;
  std::uint64_t max_entry_size = 32ull << 20;   // inflated bytes of one entry
  std::uint64_t max_total_size = 96ull << 20;   // inflated bytes of all entries
  std::uint64_t max_ratio = 200;                // inflated / compressed, per entry (deflate tops out near 1032)
  std::size_t max_name_length = 512;
};

// The package's files by path (no leading '/'), in the order of the
// container's central directory. Directory entries are not kept.
struct Package {
  std::vector<std::string> order;
  std::map<std::string, Bytes> files;

  bool has(const std::string& path) const { return files.count(path) != 0; }
  const Bytes& at(const std::string& path) const;
  // Adds or replaces a file (new ones go last).
  void put(const std::string& path, Bytes content);
};

// Throws OfdError. A refused package has inflated at most the limits' worth.
Package read_package(const Bytes& zip, const PackageLimits& limits = {});

// A ZIP of the files in `order` (deflated, or stored when that is smaller),
// with a fixed time so the same files give the same bytes.
Bytes write_package(const Package& package);

// A package path, checked: ASCII printable except '\\', ':' and control
// characters; no empty, "." or ".." segments; no leading '/'. Throws
// OfdError(malformed_ofd) naming the entry otherwise.
void check_entry_name(const std::string& name, const PackageLimits& limits = {});

// GB/T 33190-2016 §7.2 (ST_Loc): a location is absolute ("/Doc_0/...",
// from the package root) or relative to the directory of the file that
// names it. Returns the package path; throws OfdError(malformed_ofd) for one
// that leaves the package ("../" above the root) or is empty.
std::string resolve_location(const std::string& referring_file, const std::string& location);

}  // namespace zhaoyin::ofd
