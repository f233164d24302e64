#pragma once
// Appends objects to a PDF as one incremental update, followed by a
// cross-reference section of the same kind as the file's last one (table or
// stream) whose trailer points back to it with /Prev.
#include <map>
#include <string>
#include <zhaoyin/pdf/pdf_signing.h>

namespace zhaoyin::pdf::detail {

struct SourceDocument;

class IncrementalUpdate {
 public:
  explicit IncrementalUpdate(const SourceDocument& source);

  // A new object number (from the trailer's /Size upwards).
  int allocate();
  // Adds (or replaces, for an existing number) object `number` generation `gen`
  // with `body`, which is everything between "obj" and "endobj".
  void put(int number, int gen, Bytes body);
  void put(int number, int gen, const std::string& body) { put(number, gen, Bytes(body.begin(), body.end())); }

  // The original followed by the update. `trailer_extra` holds /Root, /Info, /ID entries.
  Bytes write(const std::string& trailer_extra);

 private:
  const SourceDocument& source_;
  int next_;
  std::map<int, std::pair<int, Bytes>> objects_;  // number → (generation, body)
};

// "stream" wrapper: "<< dict /Length n >>\nstream\n" data "\nendstream".
Bytes stream_object(const std::string& dictionary_entries, const Bytes& data);

}  // namespace zhaoyin::pdf::detail
