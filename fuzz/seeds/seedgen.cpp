// fuzz_seedgen SANDBOX_DIR OUT_DIR: the artefacts of a real sandbox that only
// a holder's key can make, as seed inputs (fuzz/seeds/make-seeds.sh copies
// the rest — certificates, CRLs, seals, wallet files — straight from the
// sandbox). For a few wallets of sandbox.json, unlocked with their
// passwords:
//   presentation_code/  the code `zhaoyin-wallet present` prints
//   wallet_messages/    QR text, NUL, the signed login answer a wallet POSTs
//   canonical_json/     that answer body, the license face info
//   seal_signature/     an SES_Signature by the holder with its first authorised seal
//   license_signature/  a CMS license signature by the holder over business data
//   pdf/                a small PDF (xref table), once signed, twice signed
// Written as a program rather than a script because the signatures need
// the wallet core (scrypt-protected keys, SM2 with the GM/T 0009 ID).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <nlohmann/json.hpp>
#include <zhaoyin/pdf/pdf_signing.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/wallet/wallet.h>

#include "../targets/tiny_png.h"

namespace fs = std::filesystem;
using namespace zhaoyin;

namespace {

void write(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}
void write(const fs::path& file, const trust::Bytes& bytes) { write(file, std::string(bytes.begin(), bytes.end())); }

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A one-page A4 PDF with a cross-reference table, offsets computed.
std::string minimal_pdf() {
  const std::string content = "BT /F1 24 Tf 72 720 Td (Zhaoyin fuzz seed) Tj ET";
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
  };
  std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (const std::size_t off : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

trust::Bytes ses_signature(const wallet::Wallet& w, const trust::Bytes& seal, const trust::Bytes& data,
                           const std::string& property) {
  trust::SignatureRequest req;
  req.seal_der = seal;
  req.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  req.data_hash = trust::sm3(data);
  req.property_info = property;
  const trust::Bytes tbs = trust::build_tbs_sign_v4(req);
  return trust::assemble_seal_signature_v4(tbs, w.certificate(), w.sign(tbs));
}

trust::Bytes sign_pdf(const wallet::Wallet& w, const trust::Bytes& seal, const trust::Bytes& seal_png,
                      const trust::Bytes& pdf, double x_mm) {
  pdf::Placement placement;
  placement.x_mm = x_mm;
  placement.y_mm = 200;
  const auto prepared = pdf::prepare_signature(pdf, placement, seal_png, {}, 32768);
  const auto& r = prepared.byte_range;
  const std::string property = "zhaoyin:pdf;byterange=" + std::to_string(r[0]) + "," + std::to_string(r[1]) + "," +
                               std::to_string(r[2]) + "," + std::to_string(r[3]);
  trust::SignatureRequest req;
  req.seal_der = seal;
  req.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  req.data_hash = prepared.digest;
  req.property_info = property;
  const trust::Bytes tbs = trust::build_tbs_sign_v4(req);
  return pdf::complete_signature(prepared, trust::assemble_seal_signature_v4(tbs, w.certificate(), w.sign(tbs)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seedgen SANDBOX_DIR OUT_DIR\n";
    return 2;
  }
  const fs::path sandbox = argv[1];
  const fs::path out = argv[2];
  const auto contract = nlohmann::json::parse(read(sandbox / "sandbox.json"));
  const std::string pdf_text = minimal_pdf();
  const trust::Bytes pdf(pdf_text.begin(), pdf_text.end());
  write(out / "pdf" / "minimal.pdf", pdf);

  int n = 0;
  for (const auto& entry : contract.at("wallets")) {
    if (n == 3) break;  // a legal representative, an administrator, an agent is plenty
    auto w = wallet::Wallet::load(sandbox / entry.at("path").get<std::string>());
    w.unlock(entry.at("password").get<std::string>());
    const std::string tag = std::to_string(++n);

    protocol::PresentationCode code;
    code.serial_hex = w.license_serial();
    code.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    code.nonce = trust::random_bytes(12);
    code.grant_digest = protocol::grant_digest(w.grant());
    const trust::Bytes signed_bytes = code.signed_bytes();
    code.signature = trust::sm2_signature_to_raw(w.sign(signed_bytes));
    trust::Bytes layout(signed_bytes.begin() + static_cast<std::ptrdiff_t>(protocol::kPresentationContext.size()),
                        signed_bytes.end());
    layout.insert(layout.end(), code.signature.begin(), code.signature.end());
    write(out / "presentation_code" / ("code-" + tag + ".txt"),
          std::string(protocol::kPresentationPrefix) + protocol::base32_encode(layout));

    const std::string ticket = protocol::new_ticket();
    const nlohmann::json answer = {{"protocol", protocol::kWalletProtocol}, {"type", "login"},
                                   {"ticket", ticket}, {"nonce", protocol::new_nonce()},
                                   {"client_id", "app-demo"}, {"matter", nullptr},
                                   {"answer_url", "http://127.0.0.1:8080/wallet/v1/requests/" + ticket + "/answer"},
                                   {"decision", "approve"}, {"license_serial", w.license_serial()},
                                   {"answered_at", "2026-11-23T10:00:20Z"}};
    const std::string body = w.signed_answer(answer).dump();
    const std::string qr = "http://127.0.0.1:8080/wallet/v1/requests/" + ticket;
    write(out / "wallet_messages" / ("answer-" + tag + ".txt"), qr + std::string(1, '\0') + body);
    write(out / "canonical_json" / ("answer-" + tag + ".json"), body);
    write(out / "canonical_json" / ("face-" + tag + ".json"), w.face_info_json().dump());

    {  // a license signature (CMS SignedData) over business data
      const auto attributes = trust::build_license_signed_attributes(
          trust::sm3(trust::to_bytes("business data " + tag)),
          std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
      write(out / "license_signature" / ("data-" + tag + ".der"),
            trust::assemble_license_signature(attributes, w.certificate(), w.sign(attributes)));
    }

    const wallet::WalletSeal* seal = nullptr;
    for (const auto& s : w.seals())
      if (s.authorised) { seal = &s; break; }
    if (!seal) continue;
    write(out / "seal_signature" / ("data-" + tag + ".der"),
          ses_signature(w, seal->der, trust::to_bytes("business data " + tag), "zhaoyin:data;id=" + tag));
    const trust::Bytes png = trust::to_bytes(read(sandbox / "seals" / (seal->es_id + ".png")));
    const trust::Bytes once = sign_pdf(w, seal->der, png, pdf, 20);
    write(out / "pdf" / ("signed-" + tag + ".pdf"), once);
    for (const auto& s : pdf::find_signatures(once))
      write(out / "seal_signature" / ("pdf-" + tag + ".der"), s.contents);
    if (n == 1) write(out / "pdf" / "signed-twice.pdf", sign_pdf(w, seal->der, png, once, 120));

    // Small variants for long runs, which cap inputs at 32 KiB
    // (tools/fuzz.sh): a real SESeal carries its ~20 kB impression, so a
    // signed PDF (its /Contents hex) and a wallet file (five seals in
    // base64) run to 150 kB and a few runs a second. The structure is kept;
    // only the big opaque values shrink.
    pdf::Placement small;
    small.width_mm = small.height_mm = 10;
    auto prepared = pdf::prepare_signature(pdf, small, zhaoyin::fuzz::kTinyPng, {}, 512);
    write(out / "pdf" / ("small-signed-" + tag + ".pdf"),
          pdf::complete_signature(prepared, trust::der::sequence({trust::der::integer(4), trust::der::utf8_string("seal")})));
    nlohmann::json slim = nlohmann::json::parse(read(sandbox / entry.at("path").get<std::string>()));
    for (auto& s : slim.at("seals")) s["seal"] = trust::base64_encode(trust::der::sequence({trust::der::integer(4)}));
    write(out / "wallet_file" / ("slim-" + tag + ".json"), slim.dump(1));
  }
  std::cout << "seedgen: " << n << " wallets used\n";
  return 0;
}
