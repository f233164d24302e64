#pragma once
// A small SM2 PKI for the trust tests: root CA -> issuing CA -> leaf, each
// with its own key, valid from an hour ago for a year so that the openssl
// command line (which checks at the current time) accepts them too.
#include <chrono>
#include <functional>
#include <string>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::test {

using trust::Certificate;
using trust::CertificateRequest;
using trust::CertProfile;
using trust::DistinguishedName;
using trust::Sm2Key;
using trust::TimePoint;

inline TimePoint now_seconds() {
  // Certificates carry whole seconds; comparing against them needs the same.
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// The TrustError code `action` throws, or "no error".
inline std::string error_code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const trust::TrustError& e) {
    return e.code();
  }
  return "no error";
}

// A command line for Debian's openssl, the independent implementation the
// interop checks run against.
inline std::string openssl(const std::string& args) { return "/usr/bin/openssl " + args; }

inline constexpr std::chrono::hours kHour{1};
inline constexpr std::chrono::hours kDay{24};

struct Issued {
  Sm2Key key;
  Certificate cert;
};

inline Issued issue(const DistinguishedName& subject, CertProfile profile, const Issued* issuer,
                    TimePoint not_before, TimePoint not_after,
                    const std::string& crl_uri = {}) {
  Issued out{Sm2Key::generate(), {}};
  CertificateRequest request;
  request.subject = subject;
  request.subject_key = out.key;
  request.profile = profile;
  request.not_before = not_before;
  request.not_after = not_after;
  request.crl_distribution_point = crl_uri;
  out.cert = issuer ? trust::issue_certificate(request, issuer->key, &issuer->cert)
                    : trust::issue_certificate(request, out.key, nullptr);
  return out;
}

inline DistinguishedName dn(const std::string& cn, const std::string& o = "照印沙箱 Zhaoyin Sandbox") {
  return DistinguishedName{{{"C", "CN"}, {"O", o}, {"CN", cn}}};
}

struct Pki {
  TimePoint now = now_seconds();
  Issued root = issue(dn("Zhaoyin Sandbox Root CA"), CertProfile::RootCa, nullptr,
                      now - kHour, now + 3650 * kDay);
  Issued ca = issue(dn("Zhaoyin Sandbox Issuing CA"), CertProfile::IssuingCa, &root,
                    now - kHour, now + 1825 * kDay, "http://sandbox.zhaoyin.test/crl/root.crl");
  Issued leaf = issue(dn("武汉长江数据科技有限公司", "武汉长江数据科技有限公司"), CertProfile::License, &ca,
                      now - kHour, now + 365 * kDay, "http://sandbox.zhaoyin.test/crl/ca.crl");
};

}  // namespace zhaoyin::test
