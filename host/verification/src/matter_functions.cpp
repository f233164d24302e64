// Functions enforced per matter (matter_functions.h).
#include <zhaoyin/verification/matter_functions.h>

#include <algorithm>
#include <zhaoyin/verification/subject_verifier.h>

namespace zhaoyin::verification {

namespace {

std::size_t depth(const std::string& matter) { return static_cast<std::size_t>(std::count(matter.begin(), matter.end(), '/')); }

std::string listed(const std::vector<std::string>& functions) {
  if (functions.empty()) return "no function";
  std::string out;
  for (const auto& f : functions) out += (out.empty() ? "" : ", ") + f;
  return out;
}

}  // namespace

std::optional<std::string> function_refusal(const store::Application& app, const std::string& matter,
                                            const std::string& function) {
  if (!matter_approved(app.matters, matter)) return std::nullopt;  // matter_not_approved is the caller's
  const std::vector<std::string>* deciding = nullptr;
  std::string deciding_matter;
  for (const auto& [row_matter, functions] : app.matter_functions) {
    if (!matter_approved({row_matter}, matter)) continue;
    if (!deciding || depth(row_matter) > depth(deciding_matter)) {
      deciding = &functions;
      deciding_matter = row_matter;
    }
  }
  const auto& allowed = deciding ? *deciding : app.needs;
  if (std::find(allowed.begin(), allowed.end(), function) != allowed.end()) return std::nullopt;
  if (!deciding)
    return "application " + app.client_id + " declares no " + function + " need, so the matter " + matter +
           " does not allow it (allowed: " + listed(allowed) + ")";
  return "the scenario register (附件2) of application " + app.client_id + " approves the matter " + deciding_matter +
         " for " + listed(allowed) + " only, not for " + function;
}

}  // namespace zhaoyin::verification
