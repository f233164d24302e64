#pragma once
// The enterprise's seal set (同章同模): each a GB/T 38540 v4 SESeal signed by
// the sandbox seal maker, listing the certificates of the holders allowed to
// use it, with its impression inside.
#include <string>
#include <zhaoyin/sandbox/impression.h>
#include <zhaoyin/trust/seal.h>
#include "ca_hierarchy.h"
#include "model.h"

namespace zhaoyin::sandbox {

struct SealType {
  std::string type;    // company | finance | contract | invoice | legal_rep
  std::string label;   // 法定名称章 | 财务专用章 | 合同专用章 | 发票专用章 | 法定代表人章
  trust::SealOwnerType owner = trust::SealOwnerType::Organization;
};

const SealType& seal_type(const std::string& type);  // throws SandboxError for an unknown type

// The seal code (印章编码): the enterprise's region code and an eight-digit
// number from the enterprise's seed and the seal's place in its set.
std::string seal_es_id(const EnterprisePlan& plan, std::size_t index);

// Builds every seal of `enterprise.plan.seal_types` into enterprise.seals.
// The holders must already have their certificates and their authorisation's
// `seals` (the esIDs they may use): those certificates become the signer list.
void make_seals(Enterprise& enterprise, const CaHierarchy& ca, TimePoint now, const ImpressionOptions& options);

}  // namespace zhaoyin::sandbox
