// The configured review stages: parsing, printing, the per-form plan.
#include <zhaoyin/access/access_application.h>
#include <zhaoyin/access/review_stages.h>

#include <algorithm>
#include <stdexcept>

namespace zhaoyin::access {

namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    out.push_back(trimmed(s.substr(start, at == std::string::npos ? std::string::npos : at - start)));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

bool valid_key(const std::string& k) {
  if (k.empty() || k.size() > 32 || k[0] < 'a' || k[0] > 'z') return false;
  return std::all_of(k.begin(), k.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Staff usernames as accounts allow them (docs/ADMIN.md): 1–64 of A-Z a-z 0-9 . _ -
bool valid_username(const std::string& u) {
  if (u.empty() || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

void check(const ReviewPlan& plan) {
  if (plan.empty()) throw std::invalid_argument("access.review_stages: no stages");
  int providers = 0, staff = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const auto& s = plan[i];
    if (!valid_key(s.key)) throw std::invalid_argument("access.review_stages: bad stage key '" + s.key + "'");
    if (s.label.empty() || s.label.size() > 64)
      throw std::invalid_argument("access.review_stages: stage '" + s.key + "' needs a label of 1 to 64 bytes");
    for (std::size_t j = 0; j < i; ++j)
      if (plan[j].key == s.key) throw std::invalid_argument("access.review_stages: stage key '" + s.key + "' twice");
    if (s.provider) {
      if (!s.roles.empty() || !s.users.empty())
        throw std::invalid_argument("access.review_stages: the provider stage '" + s.key + "' takes no other assignee");
      ++providers;
    } else {
      if (s.roles.empty() && s.users.empty())
        throw std::invalid_argument("access.review_stages: stage '" + s.key + "' has no assignee");
      ++staff;
    }
  }
  if (providers > 1) throw std::invalid_argument("access.review_stages: more than one provider stage");
  if (staff == 0) throw std::invalid_argument("access.review_stages: at least one stage must be decided by staff");
}

}  // namespace

bool ReviewStage::assigned_to(const std::string& username, const std::string& role) const {
  if (provider) return false;
  // Only reviewing roles decide stages, even when named: an applicant account
  // listed by mistake cannot review its own application.
  if (role != "reviewer" && role != "operator") return false;
  if (std::find(users.begin(), users.end(), username) != users.end()) return true;
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string ReviewStage::assignees_text() const {
  if (provider) return "provider";
  std::string out;
  for (const auto& r : roles) out += (out.empty() ? "" : ", ") + r;
  for (const auto& u : users) out += (out.empty() ? "user:" : ", user:") + u;
  return out;
}

ReviewPlan default_review_stages() {
  return {{"accept", "受理", {"reviewer"}, {}, false},
          {"provider", "技术服务方确认", {}, {}, true},
          {"guidance", "业务指导部门", {"reviewer"}, {}, false},
          {"operations", "系统运维部门", {"operator"}, {}, false}};
}

ReviewPlan parse_review_stages(const std::string& text) {
  if (trimmed(text).empty()) return default_review_stages();
  ReviewPlan plan;
  for (const auto& item : split(text, ';')) {
    if (item.empty()) continue;  // a trailing ';'
    const auto colon = item.find(':');
    const auto equals = item.find('=');
    if (colon == std::string::npos || equals == std::string::npos || equals < colon)
      throw std::invalid_argument("access.review_stages: '" + item + "' is not key:label=assignees");
    ReviewStage stage;
    stage.key = trimmed(item.substr(0, colon));
    stage.label = trimmed(item.substr(colon + 1, equals - colon - 1));
    for (const auto& who : split(item.substr(equals + 1), ',')) {
      if (who == "reviewer" || who == "operator") {
        stage.roles.push_back(who);
      } else if (who == "provider") {
        stage.provider = true;
      } else if (who.rfind("user:", 0) == 0 && valid_username(who.substr(5))) {
        stage.users.push_back(who.substr(5));
      } else {
        throw std::invalid_argument("access.review_stages: stage '" + stage.key + "': unknown assignee '" + who +
                                    "' (reviewer, operator, provider or user:<account>)");
      }
    }
    plan.push_back(std::move(stage));
  }
  check(plan);
  return plan;
}

std::string format_review_stages(const ReviewPlan& plan) {
  std::string out;
  for (const auto& s : plan) {
    std::string who = s.provider ? "provider" : "";
    for (const auto& r : s.roles) who += (who.empty() ? "" : ",") + r;
    for (const auto& u : s.users) who += (who.empty() ? "user:" : ",user:") + u;
    out += (out.empty() ? "" : "; ") + s.key + ":" + s.label + "=" + who;
  }
  return out;
}

ReviewPlan plan_for(const AccessForm& form, const ReviewPlan& configured) {
  ReviewPlan out;
  for (const auto& s : configured)
    if (!s.provider || !trimmed(form.provider_name).empty()) out.push_back(s);
  return out;
}

nlohmann::json plan_to_json(const ReviewPlan& plan) {
  auto out = nlohmann::json::array();
  for (const auto& s : plan)
    out.push_back({{"key", s.key}, {"label", s.label}, {"roles", s.roles}, {"users", s.users}, {"provider", s.provider}});
  return out;
}

ReviewPlan plan_from_json(const nlohmann::json& j) {
  try {
    ReviewPlan plan;
    for (const auto& s : j) {
      plan.push_back({s.at("key").get<std::string>(), s.at("label").get<std::string>(),
                      s.at("roles").get<std::vector<std::string>>(), s.at("users").get<std::vector<std::string>>(),
                      s.at("provider").get<bool>()});
    }
    return plan;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("a stored review plan is malformed: ") + e.what());
  }
}

}  // namespace zhaoyin::access
