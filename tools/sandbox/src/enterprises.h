#pragma once
// The sandbox's demo data: the four provinces with an issuing CA, and the
// enterprises with their holders, authorisations and seals. Everything named
// here is fictitious and marked （沙箱） / Sandbox.
#include <string>
#include <vector>
#include "model.h"

namespace zhaoyin::sandbox {

struct Province {
  std::string code;       // first two digits of the region code: 42
  std::string name;       // 湖北
  std::string full_name;  // 湖北省
  std::string pinyin;     // Hubei
};

const std::vector<Province>& sandbox_provinces();
const Province& province(const std::string& code);  // throws SandboxError for an unknown code

std::vector<EnterprisePlan> demo_enterprises();

}  // namespace zhaoyin::sandbox
