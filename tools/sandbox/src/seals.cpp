#include "seals.h"

#include <algorithm>
#include <cstdio>
#include <zhaoyin/sandbox/error.h>

namespace zhaoyin::sandbox {

namespace {

bool may_use(const Holder& holder, const std::string& es_id) {
  const auto& seals = holder.authorisation.seals;
  return std::find(seals.begin(), seals.end(), es_id) != seals.end();
}

std::string seal_name(const Enterprise& e, const SealType& type) {
  if (type.type == "company") return e.face.name;  // the 法定名称章 bears the legal name alone
  if (type.type == "legal_rep") return e.face.name + type.label + "（" + e.face.legal_representative + "）";
  return e.face.name + type.label;
}

Impression impression_for(const Enterprise& e, const SealType& type, const std::string& es_id,
                          const ImpressionOptions& options) {
  if (type.type == "legal_rep") {
    return render_square_seal(SquareSealSpec{e.face.legal_representative, true, 20}, options);
  }
  RoundSealSpec spec;
  spec.arc_text = e.face.name;
  spec.label = type.type == "company" ? "" : type.label;
  spec.middle_text = type.type == "invoice" ? e.face.uscc : "";  // an invoice seal shows the taxpayer number
  spec.code = es_id;
  spec.diameter_mm = 42;
  return render_round_seal(spec, options);
}

}  // namespace

const SealType& seal_type(const std::string& type) {
  static const std::vector<SealType> types = {
      {"company", "法定名称章", trust::SealOwnerType::Organization},
      {"finance", "财务专用章", trust::SealOwnerType::Organization},
      {"contract", "合同专用章", trust::SealOwnerType::Organization},
      {"invoice", "发票专用章", trust::SealOwnerType::Organization},
      {"legal_rep", "法定代表人章", trust::SealOwnerType::Person},
  };
  for (const auto& t : types) {
    if (t.type == type) return t;
  }
  throw SandboxError("unknown seal type " + type);
}

std::string seal_es_id(const EnterprisePlan& plan, std::size_t index) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%04lu%04zu", plan.seed % 10000, index + 1);
  return plan.region + digits;
}

void make_seals(Enterprise& enterprise, const CaHierarchy& ca, TimePoint now, const ImpressionOptions& options) {
  enterprise.seals.clear();
  for (std::size_t i = 0; i < enterprise.plan.seal_types.size(); ++i) {
    const SealType& type = seal_type(enterprise.plan.seal_types[i]);
    Seal seal;
    seal.es_id = seal_es_id(enterprise.plan, i);
    seal.type = type.type;
    seal.type_label = type.label;
    seal.name = seal_name(enterprise, type);

    const Impression impression = impression_for(enterprise, type, seal.es_id, options);
    seal.png = impression.png;

    trust::SealInfo info;
    info.vid = "Zhaoyin Sandbox";
    info.es_id = seal.es_id;
    info.type = type.owner;
    info.name = seal.name;
    for (const Holder& holder : enterprise.holders) {
      if (may_use(holder, seal.es_id)) info.signer_certs.push_back(holder.cert);
    }
    info.created = now;
    info.valid_start = now - std::chrono::hours(1);
    info.valid_end = now + days(3 * 365);
    info.picture.type = "PNG";
    info.picture.data = impression.png;
    info.picture.width_mm = static_cast<int>(impression.width_mm);
    info.picture.height_mm = static_cast<int>(impression.height_mm);
    seal.der = trust::build_seal_v4(info, ca.seal_maker_key(), ca.seal_maker());
    enterprise.seals.push_back(std::move(seal));
  }
}

}  // namespace zhaoyin::sandbox
