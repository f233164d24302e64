#include "arguments.h"

#include <algorithm>
#include <array>

namespace zhaoyin::wallet {

namespace {

constexpr std::array<const char*, 5> kSealTypes = {"company", "finance", "contract", "invoice", "legal_rep"};

bool takes_value(const std::string& name) {
  return name == "--wallet" || name == "--password" || name == "--image" || name == "--seal" || name == "--qr" ||
         name == "--host" || name == "--label" || name == "--png" || name == "--code";
}

bool is_flag(const std::string& name) { return name == "--approve" || name == "--reject" || name == "--help" || name == "-h" ||
                                            name == "--all"; }

// Options that belong to one verb only.
std::string verb_of_option(const std::string& name) {
  if (name == "--image" || name == "--approve" || name == "--reject" || name == "--seal") return "scan";
  if (name == "--qr") return "present";
  if (name == "--label" || name == "--png") return "display-code";
  if (name == "--code" || name == "--all") return "revoke-display-code";
  return "";
}

}  // namespace

const char* usage_text() {
  return "usage: zhaoyin-wallet --wallet FILE --password PW <verb> [options]\n"
         "\n"
         "The wallet simulator: plays an enterprise's license wallet (the phone app).\n"
         "\n"
         "verbs:\n"
         "  show                      the license face info, holder, authorisation and seals, as JSON\n"
         "  scan TEXT | --image PNG   act on a login or signing QR code (TEXT may be a same-device\n"
         "                            link zhaoyin-wallet://request?url=...)\n"
         "       [--approve | --reject] [--seal TYPE]   (TYPE: company finance contract invoice legal_rep)\n"
         "  present [--qr FILE.png]   a one-time presentation code (and its QR image)\n"
         "  display-code --host URL --label TEXT [--png FILE.png]\n"
         "                            a static display code (亮照码) for premises or a web shop:\n"
         "                            prints <host>/v/<code> (and writes its QR image)\n"
         "  revoke-display-code --host URL (--code CODE_OR_URL | --all)\n"
         "                            revoke one display code, or (legal representative) every\n"
         "                            display code of the enterprise issued until now\n"
         "  inbox HOST_URL            the sign tasks waiting for this holder (待签章) at a host;\n"
         "                            answer one with: scan REQUEST_URL --approve\n"
         "\n"
         "exit codes: 0 done, 2 usage error, unreadable wallet or verb not available,\n"
         "            3 wrong license password, 1 any other failure\n";
}

Arguments parse_arguments(const std::vector<std::string>& args) {
  Arguments a;
  std::vector<std::string> positional;
  std::vector<std::string> verb_options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> value;
    if (name.rfind("--", 0) == 0 && name.find('=') != std::string::npos) {
      value = name.substr(name.find('=') + 1);
      name = name.substr(0, name.find('='));
    }
    if (takes_value(name)) {
      if (!value) {
        if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
        value = args[++i];
      }
      if (name == "--wallet") a.wallet = *value;
      else if (name == "--password") a.password = *value;
      else if (name == "--image") a.image = *value;
      else if (name == "--seal") a.seal_type = *value;
      else if (name == "--qr") a.qr_file = *value;
      else if (name == "--host") a.host_url = *value;
      else if (name == "--label") a.label = *value;
      else if (name == "--png") a.png_file = *value;
      else if (name == "--code") a.display_code = *value;
    } else if (is_flag(name)) {
      if (value) throw UsageError(name + " takes no value");
      if (name == "--approve") a.approve = true;
      else if (name == "--reject") a.reject = true;
      else if (name == "--all") a.revoke_all = true;
      else a.help = true;
    } else if (name.size() > 1 && name[0] == '-') {
      throw UsageError("unknown option " + name);
    } else {
      positional.push_back(name);
      continue;
    }
    if (!verb_of_option(name).empty()) verb_options.push_back(name);
  }
  if (a.help) return a;

  if (positional.empty()) throw UsageError("which verb? show, scan, present, inbox, display-code or revoke-display-code");
  a.verb = positional.front();
  positional.erase(positional.begin());
  if (a.verb != "show" && a.verb != "scan" && a.verb != "present" && a.verb != "inbox" &&
      a.verb != "display-code" && a.verb != "revoke-display-code")
    throw UsageError("unknown verb " + a.verb);
  for (const auto& option : verb_options) {
    if (verb_of_option(option) != a.verb) throw UsageError(option + " does not apply to " + a.verb);
  }
  if (a.wallet.empty()) throw UsageError("--wallet FILE is required");
  if (!a.password) throw UsageError("--password PW is required (the license password)");

  if (a.verb == "scan") {
    if (positional.size() > 1) throw UsageError("scan takes one QR text");
    if (!positional.empty()) a.scan_text = positional.front();
    if (a.scan_text.has_value() == a.image.has_value()) throw UsageError("scan needs either TEXT or --image PNG");
    if (a.approve && a.reject) throw UsageError("--approve and --reject exclude each other");
    if (a.seal_type &&
        std::find(kSealTypes.begin(), kSealTypes.end(), *a.seal_type) == kSealTypes.end()) {
      throw UsageError("unknown seal type " + *a.seal_type +
                       " (company, finance, contract, invoice or legal_rep)");
    }
  } else if (a.verb == "inbox") {
    if (positional.size() != 1) throw UsageError("inbox takes the host's URL, e.g. http://127.0.0.1:8080");
    a.host_url = positional.front();
    while (!a.host_url->empty() && a.host_url->back() == '/') a.host_url->pop_back();
  } else if (a.verb == "display-code" || a.verb == "revoke-display-code") {
    if (!positional.empty()) throw UsageError(a.verb + " takes no argument " + positional.front());
    if (!a.host_url) throw UsageError(a.verb + " needs --host URL (the host that publishes the code)");
    while (!a.host_url->empty() && a.host_url->back() == '/') a.host_url->pop_back();
    if (a.verb == "display-code" && !a.label) throw UsageError("display-code needs --label TEXT (门店地址 or 网店 URL)");
    if (a.verb == "revoke-display-code" && a.display_code.has_value() == a.revoke_all)
      throw UsageError("revoke-display-code needs either --code CODE or --all");
  } else if (!positional.empty()) {
    throw UsageError(a.verb + " takes no argument " + positional.front());
  }
  return a;
}

}  // namespace zhaoyin::wallet
