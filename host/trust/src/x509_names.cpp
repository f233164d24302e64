// What a certificate is for and whom it names: extendedKeyUsage purposes and
// subjectAltName DNS names / IP addresses (RFC 5280 §4.2.1.12 and §4.2.1.6).
// The wallet uses them to tell a relying-party host certificate from a license
// certificate and to bind it to the host it scanned (docs/PROTOCOL.md §2.3).
#include <arpa/inet.h>
#include <climits>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zhaoyin/trust/x509.h>

#include "openssl_util.h"

namespace zhaoyin::trust {

namespace {

using EkuPtr = ossl::Ptr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using NamesPtr = ossl::Ptr<GENERAL_NAMES, GENERAL_NAMES_free>;
using GeneralNamePtr = ossl::Ptr<GENERAL_NAME, GENERAL_NAME_free>;
using Ia5Ptr = ossl::Ptr<ASN1_IA5STRING, ASN1_IA5STRING_free>;
using OctetsPtr = ossl::Ptr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;

std::string dotted(const ASN1_OBJECT* object) {
  char buf[256];
  const int n = OBJ_obj2txt(buf, sizeof buf, object, /*no_name=*/1);
  if (n <= 0 || n >= static_cast<int>(sizeof buf)) return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

// The extension decoded, or null when absent. A present but undecodable
// extension is a malformed certificate (not "no names"), so it throws.
template <typename T>
T* decoded_extension(X509* x, int nid) {
  int critical = 0;
  auto* value = static_cast<T*>(X509_get_ext_d2i(x, nid, &critical, nullptr));
  if (!value && critical != -1) ossl::malformed(std::string("cannot decode the ") + OBJ_nid2sn(nid) + " extension");
  ERR_clear_error();
  return value;
}

// RFC 1123 host name: LDH labels of 1..63, total ≤ 253, no wildcard (a host
// certificate names exactly the hosts it serves).
bool is_ldh_host_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63 || name[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' && label > 0)) return false;
    ++label;
  }
  return true;
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN];
  const int len = ASN1_STRING_length(ip);
  const unsigned char* data = ASN1_STRING_get0_data(ip);
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof buf)) return buf;
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof buf)) return buf;
  return {};
}

}  // namespace

std::vector<std::string> Certificate::extended_key_usages() const {
  std::vector<std::string> out;
  if (!x509_) return out;
  EkuPtr eku(decoded_extension<EXTENDED_KEY_USAGE>(x509_.get(), NID_ext_key_usage));
  if (!eku) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) out.push_back(dotted(sk_ASN1_OBJECT_value(eku.get(), i)));
  return out;
}

bool Certificate::has_extended_key_usage(std::string_view dotted_oid) const {
  for (const auto& oid : extended_key_usages())
    if (oid == dotted_oid) return true;
  return false;
}

namespace {

// Calls `f` with each subjectAltName entry of `type` (GEN_DNS, GEN_IPADD).
template <typename F>
void each_alt_name(X509* x, int type, F&& f) {
  NamesPtr names(decoded_extension<GENERAL_NAMES>(x, NID_subject_alt_name));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == type) f(*name);
  }
}

}  // namespace

std::vector<std::string> Certificate::dns_names() const {
  std::vector<std::string> out;
  if (!x509_) return out;
  each_alt_name(x509_.get(), GEN_DNS, [&](const GENERAL_NAME& name) {
    const auto* text = name.d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<std::size_t>(ASN1_STRING_length(text)));
  });
  return out;
}

std::vector<std::string> Certificate::ip_addresses() const {
  std::vector<std::string> out;
  if (!x509_) return out;
  each_alt_name(x509_.get(), GEN_IPADD, [&](const GENERAL_NAME& name) {
    const std::string text = ip_text(name.d.iPAddress);
    if (!text.empty()) out.push_back(text);
  });
  return out;
}

void detail::add_subject_alt_names(x509_st* x, const std::vector<std::string>& dns_names,
                                   const std::vector<std::string>& ip_addresses) {
  // Built from structures, not the configuration syntax, so no name can be
  // misread as another entry.
  NamesPtr names(GENERAL_NAMES_new());
  if (!names) ossl::crypto_failure("cannot build subjectAltName");
  for (const auto& dns : dns_names) {
    if (!is_ldh_host_name(dns)) ossl::malformed("not a host name for subjectAltName: " + dns);
    Ia5Ptr text(ASN1_IA5STRING_new());
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!text || !name || ASN1_STRING_set(text.get(), dns.data(), static_cast<int>(dns.size())) != 1)
      ossl::crypto_failure("cannot build subjectAltName");
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, text.release());
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) ossl::crypto_failure("cannot build subjectAltName");
    name.release();
  }
  for (const auto& ip : ip_addresses) {
    unsigned char raw[16];
    int len = 0;
    if (inet_pton(AF_INET, ip.c_str(), raw) == 1) len = 4;
    else if (inet_pton(AF_INET6, ip.c_str(), raw) == 1) len = 16;
    else ossl::malformed("not an IP address for subjectAltName: " + ip);
    OctetsPtr octets(ASN1_OCTET_STRING_new());
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!octets || !name || ASN1_OCTET_STRING_set(octets.get(), raw, len) != 1)
      ossl::crypto_failure("cannot build subjectAltName");
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets.release());
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) ossl::crypto_failure("cannot build subjectAltName");
    name.release();
  }
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1)
    ossl::crypto_failure("cannot add subjectAltName");
}

}  // namespace zhaoyin::trust
