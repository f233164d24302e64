#pragma once
// Electronic seal signatures in OFD documents, GB/T 33190-2016 §18 (数字签名).
//
// A signature adds to the package (the first document, DocBody[0]):
//   OFD.xml                        DocBody gains <ofd:Signatures> (§7.4 主入口) on the first signature
//   Doc_0/Signs/Signatures.xml     the list of signatures (§18.1, 图 85 表 66)
//   Doc_0/Signs/Sign_N/Signature.xml  the signature description (§18.2, 图 86 表 67):
//       SignedInfo: Provider, SignatureMethod 1.2.156.10197.1.501 (SM2 with SM3),
//         SignatureDateTime, References (§18.2.2, 图 87 表 68) with CheckMethod
//         SM3 (1.2.156.10197.1.401) and one Reference FileRef + CheckValue
//         (base64 SM3 of the file) per protected file, and a StampAnnot (§18.2.3,
//         图 88 表 69: PageRef, Boundary in mm) for the seal's appearance;
//       SignedValue: the location of SignedValue.dat
//   Doc_0/Signs/Sign_N/SignedValue.dat  the GB/T 38540-2020 SES_Signature
//       (DER) whose dataHash is the SM3 of Signature.xml's bytes.
//
// The References protect every file of the package except the signature's
// own two files and Signatures.xml: §18.1 leaves Signatures.xml out of the
// protected list when further signatures may be added, so a second seal
// (a later Sign_N) changes nothing an earlier signature protects. A later
// signature protects the earlier signatures' files.
//
// As with PDFs, signing is split in two because the wallet signs a digest:
//   auto prepared = prepare_signature(ofd, placement, meta);   // Signature.xml written
//   // sign: SES_Signature over prepared.signature_xml_sm3
//   Bytes signed_ofd = complete_signature(prepared.package, prepared.signed_value_path, ses_der);
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/ofd/package.h>

namespace zhaoyin::ofd {

// GB/T 33190-2016 §18.2.1: SignatureMethod for SM2 with SM3 (GM/T 0006 OID);
// §18.2.2: CheckMethod for SM3.
inline constexpr const char* kSm2WithSm3Oid = "1.2.156.10197.1.501";
inline constexpr const char* kSm3Oid = "1.2.156.10197.1.401";

struct PageInfo {
  std::string id;        // the page's ID in Document.xml (StampAnnot PageRef)
  std::string path;      // its content file
  double width_mm = 0;   // PhysicalBox (the page's Area, or the document's PageArea)
  double height_mm = 0;
};

struct DocumentInfo {
  std::string document_path;  // e.g. Doc_0/Document.xml
  std::vector<PageInfo> pages;
  std::size_t signatures = 0; // listed in Signatures.xml
  std::size_t files = 0;
};

// Reads the package and the first document's structure. Throws OfdError.
DocumentInfo inspect(const Bytes& ofd, const PackageLimits& limits = {});

// Where the seal's appearance goes: page (1-based), the top-left corner from
// the page's top-left corner, size, in millimetres (OFD's own unit, §5.2).
struct Placement {
  int page = 1;
  double x_mm = 0;
  double y_mm = 0;
  double width_mm = 42;
  double height_mm = 42;
};

struct SignatureMeta {
  // §18.1 表 66 Signature/@Type: "Seal" (电子签章: an SES_Signature, with a
  // StampAnnot at the placement) or "Sign" (纯数字签名: a digital signature
  // without a seal; no StampAnnot, the placement is not used). GM/T 0099-2020
  // §7.2.2 b) has a "Sign" value with SM2 be a GB/T 35275 SignedData.
  std::string type = "Seal";
  std::string provider_name = "Zhaoyin";  // §18.2.1 Provider
  std::string provider_version = "1.0";
  std::string company;
  std::string signing_time;               // SignatureDateTime, e.g. 20261207141000Z
};

struct PreparedSignature {
  Bytes package;                  // the OFD with Signature.xml, without SignedValue.dat
  std::string signature_path;     // e.g. Doc_0/Signs/Sign_0/Signature.xml
  std::string signed_value_path;  // e.g. Doc_0/Signs/Sign_0/SignedValue.dat
  Bytes signature_xml_sm3;        // the SES_Signature's dataHash
  std::size_t signature_xml_length = 0;
  std::size_t references = 0;
};

// Throws OfdError: malformed_ofd / ofd_limit_exceeded / unsupported_ofd;
// placement_off_page when the page does not exist or the seal leaves it (a
// "Sign" signature has no appearance: its placement is not checked);
// invalid_argument for a type other than Seal or Sign.
PreparedSignature prepare_signature(const Bytes& ofd, const Placement& placement, const SignatureMeta& meta,
                                    const PackageLimits& limits = {});

// The prepared package with SignedValue.dat added.
Bytes complete_signature(const Bytes& prepared_package, const std::string& signed_value_path, const Bytes& ses_signature,
                         const PackageLimits& limits = {});

struct ReferenceCheck {
  std::string file;        // the package path FileRef resolves to
  std::string file_ref;    // as written
  bool present = false;
  bool intact = false;     // SM3 of the file as it is now equals CheckValue
};

// A signature found in an OFD, with the checks that need only the package:
// the References' digests (§18.2.2) and the files present but protected by
// nothing (added after signing). The SES_Signature itself is checked by the
// caller (trust::verify_seal_signature with signature_xml_sm3).
struct FoundSignature {
  std::string id;
  std::string type;                 // Seal | Sign (§18.1)
  std::string signature_path;
  std::string signed_value_path;
  Bytes signature_xml_sm3;
  std::size_t signature_xml_length = 0;
  Bytes signed_value;               // empty when SignedValue.dat is missing
  std::string signature_method;
  std::string signature_date_time;
  std::string check_method;
  bool check_method_supported = false;  // SM3 (the OID, or "SM3")
  std::vector<ReferenceCheck> references;
  std::vector<std::string> unprotected_files;  // in the package, protected by this signature or nothing later: added after signing
  bool references_intact = false;   // every Reference present and intact, and the method is SM3
  int page = 0;                     // 1-based page of the first StampAnnot, 0 if none or unknown
  std::vector<double> boundary;     // its Boundary (x y w h, mm)
  std::string problem;              // a structural fault of this signature's files, "" if none
};

// Every signature listed in Signatures.xml, in list order. Throws OfdError for
// a package or main entry that does not parse; a signature whose own files are
// unreadable is returned with `problem` set.
std::vector<FoundSignature> find_signatures(const Bytes& ofd, const PackageLimits& limits = {});

}  // namespace zhaoyin::ofd
