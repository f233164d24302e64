#pragma once
// What the application-pages tests share: a zhaoyin-host on a sandbox with
// two applicants, and a staff member's browser-like client (session cookie,
// form posts with repeated fields, the page's CSRF token).
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <host_process.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <sandbox_fixture.h>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include <zhaoyin/http/form.h>

namespace zhaoyin::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  int status = 0;
  std::string body;
  std::string location;
  std::string cache_control;
  std::string content_type;

  // data-error-code="..." of the page's first refusal notice ("" when none).
  std::string error_code() const { return attribute_after("data-error-code=\""); }
  // The text of the first element with class "field-error" inside the field
  // marked data-field="<name>" ("" when that field shows no error).
  std::string field_error(const std::string& name) const {
    const auto at = body.find("data-field=\"" + name + "\"");
    if (at == std::string::npos) return "";
    const auto next_field = body.find("data-field=\"", at + 1);
    const auto err = body.find("class=\"field-error\"", at);
    if (err == std::string::npos || (next_field != std::string::npos && err > next_field)) return "";
    const auto open_end = body.find('>', err);
    return body.substr(open_end + 1, body.find('<', open_end) - open_end - 1);
  }
  std::string attribute_after(const std::string& marker) const {
    const auto at = body.find(marker);
    if (at == std::string::npos) return "";
    const auto end = body.find('"', at + marker.size());
    return body.substr(at + marker.size(), end - at - marker.size());
  }
};

// One request to the host on loopback: `headers` added as given, a body only
// for POST (with `content_type`). Returns the reply and, for callers that need
// more headers, the response itself.
inline Reply exchange(int port, const std::string& method, const std::string& path, const std::string& content_type,
                      const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                      Poco::Net::HTTPResponse& response) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (method == "POST") {
    request.setContentType(content_type);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
  } else {
    session.sendRequest(request);
  }
  std::istream& in = session.receiveResponse(response);
  Reply reply;
  reply.status = static_cast<int>(response.getStatus());
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  reply.body = out.str();
  reply.location = response.get("Location", "");
  reply.cache_control = response.get("Cache-Control", "");
  reply.content_type = response.getContentType();
  return reply;
}

class StaffClient {
 public:
  explicit StaffClient(int port) : port_(port) {}

  Reply get(const std::string& path) { return send("GET", path, ""); }
  Reply post(const std::string& path, const Fields& fields) {
    std::string body;
    for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + http::form_encode(k) + "=" + http::form_encode(v);
    return send("POST", path, body);
  }

  Reply sign_in(const std::string& username, const std::string& password) {
    return post("/admin/login", {{"username", username}, {"password", password}});
  }

  // The CSRF token of this session, read from a signed-in page.
  std::string csrf() {
    if (csrf_.empty()) csrf_ = get("/admin/applications").attribute_after("name=\"csrf\" value=\"");
    return csrf_;
  }

 private:
  Reply send(const std::string& method, const std::string& path, const std::string& body) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!cookie_.empty()) headers.emplace_back("Cookie", "zhaoyin_staff=" + cookie_);
    Poco::Net::HTTPResponse response;
    Reply reply = exchange(port_, method, path, "application/x-www-form-urlencoded", body, headers, response);
    const std::string prefix = "zhaoyin_staff=";
    for (auto it = response.find("Set-Cookie"); it != response.end() && Poco::icompare(it->first, "Set-Cookie") == 0; ++it)
      if (it->second.rfind(prefix, 0) == 0) cookie_ = it->second.substr(prefix.size(), it->second.find(';') - prefix.size());
    return reply;
  }

  int port_;
  std::string cookie_;
  std::string csrf_;
};

// A sandbox password of a demo staff account (<sandbox>/admin/staff.json).
inline std::string staff_password(const fs::path& sandbox, const std::string& username) {
  const auto staff = read_json(sandbox / "admin" / "staff.json");  // kept: the loop must not outlive it
  for (const auto& a : staff["accounts"])
    if (a["username"] == username) return a["password"];
  throw std::runtime_error("no sandbox staff account " + username);
}

// A zhaoyin-host on the shared sandbox whose store also holds a second
// applicant, "applicant2" (made with `zhaoyin admin create-user`).
class PagesHost {
 public:
  static constexpr const char* kSecondApplicantPassword = "second-applicant-password";

  PagesHost() {
    const auto r = run_command("printf '%s\\n' " + quote(kSecondApplicantPassword) + " | " + quote(bin("zhaoyin")) +
                               " admin create-user --data " + quote(data_.string()) +
                               " --username applicant2 --role applicant --password-stdin");
    if (r.exit_code != 0) throw std::runtime_error("zhaoyin admin create-user failed: " + r.output);
    host_ = std::make_unique<HostProcess>(dir_.path(), std::vector<std::string>{"--data", data_.string(), "--sandbox",
                                                                                shared_sandbox().string()});
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host_->log());
  }

  int port() const { return host_->port(); }
  const fs::path& data_dir() const { return data_; }  // the host's store (SQLite)
  std::string url(const std::string& path = "") const { return host_->url(path); }
  std::string log() const { return host_->log(); }

  // A signed-in client of a sandbox account (applicant, reviewer, operator) or applicant2.
  StaffClient staff(const std::string& username) const {
    StaffClient c(port());
    const auto password =
        username == "applicant2" ? std::string(kSecondApplicantPassword) : staff_password(shared_sandbox(), username);
    const auto r = c.sign_in(username, password);
    if (r.status != 303) throw std::runtime_error("sign-in of " + username + " failed: " + r.body);
    return c;
  }

 private:
  TempDir dir_{"zhaoyin-admin-pages-apps"};
  fs::path data_ = dir_.path() / "data";
  std::unique_ptr<HostProcess> host_;
};

// Every field of the 电子营业执照应用接入信息表, valid, for a presentation
// application in 湖北 (42) that a sandbox wallet of 湖北 fits.
inline Fields valid_form(const std::string& system_name = "电子税务局测试系统") {
  return {{"org_name", "湖北省测试局"},
          {"org_nature", "government"},
          {"uscc", "91110108700338416R"},
          {"address", "湖北省武汉市测试路1号"},
          {"contact_name", "张三"},
          {"contact_position", "信息中心 工程师"},
          {"contact_phone", "13812345678"},
          {"contact_email", "zhangsan@example.cn"},
          {"system_name", system_name},
          {"system_host", "etax.example.gov.cn"},
          {"system_port", "443"},
          {"department", ""},
          {"redirect_uris", ""},
          {"field", "e_government"},
          {"industry", "税务"},
          {"business_summary", "发票申领时出示电子营业执照"},
          {"needs", "presentation"},
          {"needs", "login"},
          {"needs_other", ""},
          {"scope", "province"},
          {"province", "42"},
          {"channels", "pc"},
          {"channels", "app"},
          {"annual_volume_wan", "100"},
          {"peak_rate", "20"},
          {"matters", "电子政务/税务/发票申领"},
          {"acknowledged", "1"}};
}

inline Fields with(Fields fields, const std::string& name, const std::string& value) {
  for (auto& [k, v] : fields)
    if (k == name) v = value;
  return fields;
}

inline Fields plus(Fields fields, Fields more) {
  fields.insert(fields.end(), more.begin(), more.end());
  return fields;
}

// The application id in a Location such as /admin/applications/apl-x/edit?saved=1.
inline std::string application_id(const std::string& location) {
  const std::string prefix = "/admin/applications/";
  if (location.rfind(prefix, 0) != 0) return "";
  const auto rest = location.substr(prefix.size());
  return rest.substr(0, rest.find_first_of("/?"));
}

}  // namespace zhaoyin::test
