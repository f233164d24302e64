#pragma once
// The 授权事项 a script declares for the matters catalogue, one a line in
// the script's own text:
//   --@matter 电子政务/市场监管/动产抵押 动产抵押登记
// ("--@matter", blanks, the path 领域/行业/事项, optionally blanks and a name).
// A Lua comment, so the script runs unchanged; read from the loaded version's
// text (a broken edit keeps the previous version's declarations). The
// catalogue checks each path before it takes it (matters_catalogue.h).
#include <nlohmann/json.hpp>
#include <string_view>

namespace zhaoyin::scripting {

// [{"path","name"}] in the order declared; at most 1000, a path or name of at
// most 512 bytes (longer ones are skipped).
nlohmann::json declared_matters(std::string_view script_text);

}  // namespace zhaoyin::scripting
