#include <zhaoyin/trust/verified_signatures.h>

#include <mutex>
#include <string>
#include <unordered_map>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::trust {

namespace {

// Enough for every CA, CRL and grant of a province-wide authority; past it the
// memo starts again rather than growing without bound.
constexpr std::size_t kMaxEntries = 16384;

struct Memo {
  std::mutex mutex;
  std::unordered_map<std::string, bool> results;
  std::size_t hits = 0;
  std::size_t misses = 0;
};

Memo& memo() {
  static Memo m;
  return m;
}

void append_with_length(Bytes& out, const std::uint8_t* data, std::size_t size) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(size >> shift));
  out.insert(out.end(), data, data + size);
}

std::string memo_key(const Sm2Key& key, const Bytes& message, const Bytes& signature, std::string_view id) {
  const Bytes spki = key.public_point();  // identifies an SM2 key; far cheaper than encoding the SPKI
  Bytes input;
  input.reserve(spki.size() + id.size() + message.size() + signature.size() + 32);
  append_with_length(input, spki.data(), spki.size());
  append_with_length(input, reinterpret_cast<const std::uint8_t*>(id.data()), id.size());
  append_with_length(input, message.data(), message.size());
  append_with_length(input, signature.data(), signature.size());
  const Bytes digest = sm3(input);
  return std::string(digest.begin(), digest.end());
}

}  // namespace

bool verify_remembered(const Sm2Key& key, const Bytes& message, const Bytes& der_signature, std::string_view id) {
  if (!key.valid()) return false;
  const std::string k = memo_key(key, message, der_signature, id);
  Memo& m = memo();
  {
    std::lock_guard lock(m.mutex);
    if (const auto it = m.results.find(k); it != m.results.end()) {
      ++m.hits;
      return it->second;
    }
    ++m.misses;
  }
  const bool ok = key.verify(message, der_signature, id);
  std::lock_guard lock(m.mutex);
  if (m.results.size() >= kMaxEntries) m.results.clear();
  m.results.emplace(k, ok);
  return ok;
}

VerifiedSignatureStats verified_signature_stats() {
  Memo& m = memo();
  std::lock_guard lock(m.mutex);
  return {m.hits, m.misses, m.results.size()};
}

}  // namespace zhaoyin::trust
