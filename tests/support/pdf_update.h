#pragma once
// Hand-written incremental updates for tests that need a PDF changed the way
// a tool other than Zhaoyin's would change it (ISO 32000-1 §7.5.6): objects
// appended, a cross-reference table for them, a trailer with /Prev. The
// object numbers and texts come from the qpdf command line, so these helpers
// share nothing with host/pdf. For files whose last section is a table
// (cairo's and our updates to them).
#include <map>
#include <regex>
#include <string>
#include <zhaoyin/trust/bytes.h>

#include "test_support.h"

namespace zhaoyin::test {

// The values of the last trailer: /Size and the "n g R" of /Root, and the last startxref.
struct LastTrailer {
  int size = 0;
  std::string root;
  std::size_t startxref = 0;
};

inline LastTrailer last_trailer(const trust::Bytes& pdf) {
  const std::string text(pdf.begin(), pdf.end());
  LastTrailer t;
  const auto at = text.rfind("trailer");
  const std::string tail = at == std::string::npos ? "" : text.substr(at);
  std::smatch m;
  if (std::regex_search(tail, m, std::regex(R"(/Size (\d+))"))) t.size = std::stoi(m[1]);
  if (std::regex_search(tail, m, std::regex(R"(/Root (\d+ \d+ R))"))) t.root = m[1];
  if (std::regex_search(tail, m, std::regex(R"(startxref\s+(\d+))"))) t.startxref = std::stoul(m[1]);
  return t;
}

// `pdf` followed by an update holding `objects` (number → the text between
// "N 0 obj" and "endobj"), trailer /Size `size`.
inline trust::Bytes append_update(const trust::Bytes& pdf, const std::map<int, std::string>& objects, int size) {
  const LastTrailer last = last_trailer(pdf);
  std::string out(pdf.begin(), pdf.end());
  if (out.back() != '\n') out += '\n';
  std::map<int, std::size_t> offsets;
  for (const auto& [n, body] : objects) {
    offsets[n] = out.size();
    out += std::to_string(n) + " 0 obj\n" + body + "\nendobj\n";
  }
  const std::size_t xref = out.size();
  out += "xref\n";
  for (const auto& [n, offset] : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n\r\n", offset);
    out += std::to_string(n) + " 1\n" + line;
  }
  out += "trailer\n<< /Size " + std::to_string(size) + " /Prev " + std::to_string(last.startxref) + " /Root " + last.root +
         " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return trust::Bytes(out.begin(), out.end());
}

// What `qpdf --show-object=N` prints for an object of the PDF in `file`.
inline std::string qpdf_object(const std::string& file, const std::string& reference) {
  const auto number = reference.substr(0, reference.find(' '));
  auto r = run_command("qpdf --show-object=" + number + " " + quote(file));
  while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) r.output.pop_back();
  return r.output;
}

// The "n g R" of page 1's first content stream, from `qpdf --show-pages`.
inline std::string first_page_content(const std::string& file) {
  const auto r = run_command("qpdf --show-pages " + quote(file));
  std::smatch m;
  if (std::regex_search(r.output, m, std::regex(R"(content:\s+(\d+ \d+ R))"))) return m[1];
  return "";
}

}  // namespace zhaoyin::test
