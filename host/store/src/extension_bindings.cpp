#include <zhaoyin/store/extension_bindings.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <set>
#include "read_caches.h"

namespace zhaoyin::store {

using namespace Poco::Data::Keywords;

std::string to_string(ExtensionKind kind) { return kind == ExtensionKind::Plugin ? "plugin" : "script"; }

std::vector<std::string> ExtensionBindingRepository::names(const std::string& client_id, ExtensionKind kind) const {
  auto& cache = db_.read_caches().extension_bindings;
  std::string key = to_string(kind);
  key += '\n';
  key += client_id;
  if (auto cached = cache.get(key)) return std::move(*cached);
  const auto ticket = cache.ticket();  // before the query: the entry's age counts from here
  std::vector<std::string> out;
  try {
    auto s = db_.session();
    std::string id = client_id, k = to_string(kind);
    s << "SELECT name FROM application_extensions WHERE client_id = ? AND kind = ? ORDER BY position", into(out),
        use(id), use(k), now;
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot read the extensions of " + client_id + ": " + e.displayText());
  }
  cache.put(key, out, ticket);
  return out;
}

void ExtensionBindingRepository::set(const std::string& client_id, ExtensionKind kind,
                                     const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (n.empty() || n.size() > 256) throw StoreError("an extension name must be 1 to 256 characters");
    if (!seen.insert(n).second) throw StoreError("extension '" + n + "' is listed twice");
  }
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    std::string id = client_id, k = to_string(kind);
    int count = 0;
    s << "SELECT COUNT(*) FROM applications WHERE client_id = ?", into(count), use(id), now;
    if (count == 0) throw StoreError("no application " + client_id);
    s << "DELETE FROM application_extensions WHERE client_id = ? AND kind = ?", use(id), use(k), now;
    int position = 0;
    for (auto name : names) {
      s << "INSERT INTO application_extensions (client_id, kind, name, position) VALUES (?, ?, ?, ?)", use(id),
          use(k), use(name), use(position), now;
      ++position;
    }
    tx.commit();
    db_.read_caches().extension_bindings.changed();  // this host's next lookup reads the new list
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot set the extensions of " + client_id + ": " + e.displayText());
  }
}

std::vector<ExtensionBinding> ExtensionBindingRepository::list(ExtensionKind kind) const {
  std::vector<ExtensionBinding> out;
  try {
    auto s = db_.session();
    std::string k = to_string(kind);
    Poco::Data::Statement select(s);
    select << "SELECT client_id, name, position FROM application_extensions WHERE kind = ?"
              " ORDER BY client_id, position",
        use(k);
    select.execute();
    Poco::Data::RecordSet rs(select);
    for (std::size_t row = 0; row < rs.rowCount(); ++row)
      out.push_back({rs.value(0, row).convert<std::string>(), kind, rs.value(1, row).convert<std::string>(),
                     rs.value(2, row).convert<int>()});
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot list extensions: " + e.displayText());
  }
  return out;
}

}  // namespace zhaoyin::store
