#include "incremental_update.h"

#include <cstdio>
#include "source_document.h"

namespace zhaoyin::pdf::detail {

namespace {

void append(Bytes& out, const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }

// Runs of consecutive object numbers, for the xref subsections / the /Index array.
std::vector<std::pair<int, int>> runs(const std::map<int, std::size_t>& numbers) {
  std::vector<std::pair<int, int>> out;  // (first, count)
  for (const auto& [n, offset] : numbers) {
    (void)offset;
    if (!out.empty() && out.back().first + out.back().second == n) ++out.back().second;
    else out.emplace_back(n, 1);
  }
  return out;
}

}  // namespace

IncrementalUpdate::IncrementalUpdate(const SourceDocument& source) : source_(source), next_(source.size) {}

int IncrementalUpdate::allocate() { return next_++; }

void IncrementalUpdate::put(int number, int gen, Bytes body) { objects_[number] = {gen, std::move(body)}; }

Bytes stream_object(const std::string& dictionary_entries, const Bytes& data) {
  Bytes out;
  append(out, "<< " + dictionary_entries + " /Length " + std::to_string(data.size()) + " >>\nstream\n");
  out.insert(out.end(), data.begin(), data.end());
  append(out, "\nendstream");
  return out;
}

Bytes IncrementalUpdate::write(const std::string& trailer_extra) {
  Bytes out = source_.bytes;
  if (out.back() != '\n' && out.back() != '\r') out.push_back('\n');
  std::map<int, std::size_t> offsets;
  std::map<int, int> generations;
  for (const auto& [number, entry] : objects_) {
    offsets[number] = out.size();
    generations[number] = entry.first;
    append(out, std::to_string(number) + " " + std::to_string(entry.first) + " obj\n");
    out.insert(out.end(), entry.second.begin(), entry.second.end());
    append(out, "\nendobj\n");
  }
  const std::string prev = " /Prev " + std::to_string(source_.startxref);

  if (!source_.xref_stream) {
    const std::size_t xref_at = out.size();
    append(out, "xref\n");
    for (const auto& [first, count] : runs(offsets)) {
      append(out, std::to_string(first) + " " + std::to_string(count) + "\n");
      for (int n = first; n < first + count; ++n) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu %05d n\r\n", offsets[n], generations[n]);
        append(out, line);
      }
    }
    append(out, "trailer\n<< /Size " + std::to_string(next_) + prev + " " + trailer_extra + " >>\nstartxref\n" +
                    std::to_string(xref_at) + "\n%%EOF\n");
    return out;
  }

  // A cross-reference stream (ISO 32000-1 §7.5.8): it lists itself too.
  const int xref_number = next_++;
  const std::size_t xref_at = out.size();
  offsets[xref_number] = xref_at;
  generations[xref_number] = 0;
  Bytes entries;
  std::string index;
  for (const auto& [first, count] : runs(offsets)) {
    index += std::to_string(first) + " " + std::to_string(count) + " ";
    for (int n = first; n < first + count; ++n) {
      const std::size_t off = offsets[n];
      entries.push_back(1);  // type 1: in use, at an offset
      for (int shift = 24; shift >= 0; shift -= 8) entries.push_back(static_cast<std::uint8_t>(off >> shift));
      entries.push_back(static_cast<std::uint8_t>(generations[n] >> 8));
      entries.push_back(static_cast<std::uint8_t>(generations[n]));
    }
  }
  append(out, std::to_string(xref_number) + " 0 obj\n");
  const Bytes stream = stream_object("/Type /XRef /Size " + std::to_string(next_) + " /W [1 4 2] /Index [" +
                                         index + "]" + prev + " " + trailer_extra,
                                     entries);
  out.insert(out.end(), stream.begin(), stream.end());
  append(out, "\nendobj\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n");
  return out;
}

}  // namespace zhaoyin::pdf::detail
