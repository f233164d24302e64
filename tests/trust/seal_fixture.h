#pragma once
// The e-seal tests' small PKI: root → seal maker, root → two license holders,
// a CRL wide enough for every instant the tests verify at (2025–2030), and a
// seal info for the first holder. One World per test executable (key
// generation and issuing are the slow part).
#include <chrono>
#include <functional>
#include <string>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>

namespace seal_fixture {

using namespace zhaoyin::trust;

inline TimePoint utc(int y, unsigned mo, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}};
}

inline const TimePoint kNow = utc(2026, 6, 1);

inline DistinguishedName dn(const std::string& cn) {
  return DistinguishedName{{{"C", "CN"}, {"O", "Zhaoyin Sandbox (test)"}, {"CN", cn}}};
}

struct Issued {
  Sm2Key key;
  Certificate cert;
};

inline Issued issue(const std::string& cn, CertProfile profile, const Issued* issuer) {
  Issued out;
  out.key = Sm2Key::generate();
  CertificateRequest request;
  request.subject = dn(cn);
  request.subject_key = out.key;
  request.profile = profile;
  request.not_before = utc(2020, 1, 1);
  request.not_after = utc(2040, 1, 1);
  out.cert = issuer ? issue_certificate(request, issuer->key, &issuer->cert)
                    : issue_certificate(request, out.key, nullptr);
  return out;
}

// The TrustError code `action` throws, or "no error".
inline std::string code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const TrustError& e) {
    return e.code();
  }
  return "no error";
}

// A sandbox hierarchy: root → seal maker, root → license holder certificates.
struct World {
  Issued root = issue("Zhaoyin Sandbox Root CA", CertProfile::RootCa, nullptr);
  Issued maker = issue("Zhaoyin Sandbox Seal Maker", CertProfile::SealMaker, &root);
  Issued signer = issue("武汉长江数据科技有限公司", CertProfile::License, &root);
  Issued other_signer = issue("另一家公司", CertProfile::License, &root);
  TrustStore trust;

  World() {
    trust.add_root(root.cert);
    // A CRL window wide enough for every instant the tests verify at (2025-2030),
    // so the seal's own validity is what those tests exercise.
    trust.add_crl(issue_crl(root.cert, root.key, {}, utc(2024, 6, 1), utc(2031, 1, 1), 1));
  }

  SealInfo info() const {
    SealInfo info;
    info.vid = "Zhaoyin Sandbox";
    info.es_id = "42010000000123";
    info.type = SealOwnerType::Organization;
    info.name = "武汉长江数据科技有限公司合同专用章";
    info.signer_certs = {signer.cert};
    info.created = utc(2025, 1, 1);
    info.valid_start = utc(2025, 1, 1);
    info.valid_end = utc(2030, 1, 1);
    info.picture.type = "PNG";
    info.picture.data = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8};
    info.picture.width_mm = 42;
    info.picture.height_mm = 42;
    return info;
  }

  Bytes seal() const { return build_seal_v4(info(), maker.key, maker.cert); }
};

// A GM/T 0031-2014 (v1) seal written field by field with the DER writer
// (Zhaoyin never writes v1): header version 1, UTCTime dates, no certListType,
// signData over DER(SEQUENCE { esealInfo, cert, signatureAlgorithm }).
inline Bytes build_v1_seal(const SealInfo& info, const Issued& maker) {
  std::vector<Bytes> certs;
  for (const Certificate& c : info.signer_certs) certs.push_back(der::octet_string(c.der()));
  const Bytes seal_info = der::sequence({
      der::sequence({der::ia5_string("ES"), der::integer(1), der::ia5_string(info.vid)}),
      der::ia5_string(info.es_id),
      der::sequence({der::integer(static_cast<int>(info.type)), der::utf8_string(info.name), der::sequence(certs),
                     der::utc_time(info.created), der::utc_time(info.valid_start), der::utc_time(info.valid_end)}),
      der::sequence({der::ia5_string(info.picture.type), der::octet_string(info.picture.data),
                     der::integer(info.picture.width_mm), der::integer(info.picture.height_mm)}),
  });
  const Bytes cert = der::octet_string(maker.cert.der());
  const Bytes alg = der::oid(kOidSm2WithSm3);
  const Bytes signature = maker.key.sign(der::sequence({seal_info, cert, alg}));
  return der::sequence({seal_info, der::sequence({cert, alg, der::bit_string(signature)})});
}

// One world for the whole executable: key generation and issuing are the slow part.
inline const World& world() {
  static const World w;
  return w;
}

}  // namespace seal_fixture
