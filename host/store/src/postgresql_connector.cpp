#include "postgresql_connector.h"

#include <Poco/Data/PostgreSQL/Binder.h>
#include <Poco/Data/PostgreSQL/Extractor.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/PostgreSQL/SessionHandle.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/PostgreSQL/StatementExecutor.h>
#include <Poco/Data/Connector.h>
#include <Poco/Data/DataException.h>
#include <Poco/Data/SessionFactory.h>
#include <Poco/Data/StatementImpl.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <mutex>
#include <vector>
#include <poll.h>
#include <string>
#include <utility>

#include "sql_dialect.h"

namespace zhaoyin::store {

namespace {

namespace pg = Poco::Data::PostgreSQL;

// Whether a statement with no `into()` can go to the server in one round
// trip: it changes rows or the transaction and returns none (no RETURNING).
// A SELECT without `into()` is read through a RecordSet, which needs the
// columns that only a prepared (described) statement reports.
bool writes_without_rows(const std::string& statement) {
  std::size_t i = statement.find_first_not_of(" \t\r\n(");
  if (i == std::string::npos) return false;
  std::string keyword;
  for (; i < statement.size() && std::isalpha(static_cast<unsigned char>(statement[i])); ++i)
    keyword += static_cast<char>(std::toupper(static_cast<unsigned char>(statement[i])));
  static const char* const kWrites[] = {"INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE", "ROLLBACK"};
  if (std::none_of(std::begin(kWrites), std::end(kWrites), [&](const char* w) { return keyword == w; })) return false;
  std::string upper(statement.size(), '\0');
  std::transform(statement.begin(), statement.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper.find("RETURNING") == std::string::npos;
}

// Poco's PostgreSQL statement, with the SQL translated before libpq sees it.
// Statements that read rows follow the stock driver: prepare and describe
// (two round trips), execute (one), fetch row by row from the text-format
// result, DEALLOCATE when destroyed (one more). Statements that only write
// (writes_without_rows) take one round trip instead: libpq's PQexecParams
// sends parse, bind, execute and sync together as an unnamed statement, which
// needs neither a name nor a DEALLOCATE. On the presentation path that is 4
// round trips per code instead of 16 (docs/PERFORMANCE.md, change 9).
class TranslatingStatement : public Poco::Data::StatementImpl {
 public:
  explicit TranslatingStatement(pg::SessionImpl& session)
      : Poco::Data::StatementImpl(session),
        handle_(session.handle()),
        executor_(session.handle()),
        binder_(new pg::Binder),
        extractor_(new pg::Extractor(executor_)) {}

 protected:
  using Poco::Data::StatementImpl::metaColumn;

  std::size_t columnsReturned() const override { return direct_ ? 0 : executor_.columnsReturned(); }
  int affectedRowCount() const override {
    return static_cast<int>(direct_ ? direct_affected_ : executor_.getAffectedRowCount());
  }
  const Poco::Data::MetaColumn& metaColumn(std::size_t position) const override {
    return executor_.metaColumn(position);
  }

  bool hasNext() override {
    if (direct_) return false;
    if (next_ == Next::unknown) {
      if (columnsReturned() == 0) return false;
      next_ = executor_.fetch() ? Next::yes : Next::no;
    }
    return next_ == Next::yes;
  }

  std::size_t next() override {
    if (!hasNext()) throw pg::StatementException("no more rows");
    std::size_t position = 0;
    for (auto& extraction : extractions()) {
      extraction->extract(position);
      position += extraction->numOfColumnsHandled();
    }
    next_ = Next::unknown;
    return 1;
  }

  bool canBind() const override {
    return compiled() && !bindings().empty() && (*bindings().begin())->canBind();
  }
  bool canCompile() const override { return !compiled(); }

  void compileImpl() override {
    std::string statement = sql::postgresql_placeholders(toString());
    if (extractions().empty() && writes_without_rows(statement)) {
      direct_sql_ = std::move(statement);
      direct_ = true;
      return;
    }
    executor_.prepare(statement);
  }

  void bindImpl() override {
    std::size_t position = 0;
    for (auto& binding : bindings()) {
      if (!binding->canBind()) break;
      binding->bind(position);
      position += binding->numOfColumnsHandled();
    }
    binder_->updateBindVectorToCurrentValues();
    if (direct_) {
      execute_direct(binder_->bindVector());
      return;
    }
    executor_.bindParams(binder_->bindVector());
    executor_.execute();
    next_ = Next::unknown;
  }

  Poco::Data::AbstractExtraction::ExtractorPtr extractor() override { return extractor_; }
  Poco::Data::AbstractBinding::BinderPtr binder() override { return binder_; }

 private:
  bool compiled() const { return direct_ || executor_.state() >= pg::StatementExecutor::STMT_COMPILED; }

  // The bound values as libpq wants them (text or binary, as Poco's binder
  // made them), in one PQexecParams.
  void execute_direct(const pg::InputParameterVector& parameters) {
    if (!handle_.isConnected()) throw Poco::Data::NotConnectedException();
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    values.reserve(parameters.size());
    lengths.reserve(parameters.size());
    formats.reserve(parameters.size());
    for (const auto& p : parameters) {
      values.push_back(static_cast<const char*>(p.pInternalRepresentation()));
      lengths.push_back(static_cast<int>(p.size()));
      formats.push_back(p.isBinary() ? 1 : 0);
    }
    PGresult* result = nullptr;
    {
      Poco::FastMutex::ScopedLock lock(handle_.mutex());
      result = PQexecParams(handle_, direct_sql_.c_str(), static_cast<int>(values.size()), nullptr,
                            values.empty() ? nullptr : values.data(), values.empty() ? nullptr : lengths.data(),
                            values.empty() ? nullptr : formats.data(), 0);
    }
    const std::unique_ptr<PGresult, void (*)(PGresult*)> owned(result, PQclear);
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
      const char* constraint = result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr;
      // The stock driver's wording, so a failure reads the same either way.
      throw pg::StatementException(std::string("postgresql_stmt_execute error: ") +
                                   (result ? PQresultErrorMessage(result) : PQerrorMessage(handle_)) +
                                   " State: " + (state ? state : "N/A") +
                                   " Constraint: " + (constraint ? constraint : "N/A"));
    }
    const char* affected = PQcmdTuples(result);
    direct_affected_ = affected && *affected ? std::strtoul(affected, nullptr, 10) : 0;
  }

  enum class Next { unknown, yes, no };
  pg::SessionHandle& handle_;
  pg::StatementExecutor executor_;
  Poco::SharedPtr<pg::Binder> binder_;
  Poco::SharedPtr<pg::Extractor> extractor_;
  Next next_ = Next::unknown;
  bool direct_ = false;  // compiled for PQexecParams (writes_without_rows)
  std::string direct_sql_;
  std::size_t direct_affected_ = 0;
};

// Poco 1.11 (Debian 12) frees a libpq connection only while its status is
// CONNECTION_OK (SessionHandle::disconnect), so a PGconn that failed to open or
// that the server dropped is never PQfinish'ed (pocoproject/poco#4231, fixed in
// 1.13). Both ends are closed here: Connector::createSession probes with its own
// connection before Poco opens one, and a Session whose connection went bad hands
// it to operator delete, which frees it once Poco's destructors, which still read
// its status, have run.
thread_local PGconn* t_dropped_connection = nullptr;

class Session : public pg::SessionImpl {
 public:
  using pg::SessionImpl::SessionImpl;

  ~Session() override {
    PGconn* connection = handle();
    if (connection != nullptr && PQstatus(connection) != CONNECTION_OK) t_dropped_connection = connection;
  }

  // A delete-expression runs the destructors, then this, on the same thread.
  static void operator delete(void* memory) {
    ::operator delete(memory);
    if (PGconn* dropped = std::exchange(t_dropped_connection, nullptr)) PQfinish(dropped);
  }

  Poco::Data::StatementImpl::Ptr createStatementImpl() override { return new TranslatingStatement(*this); }

  // The pool asks before reusing an idle connection. libpq only notices a
  // closed connection when it next reads, so look: an idle connection with
  // something to read is either a notice or the server saying goodbye;
  // PQconsumeInput tells which (and marks the connection bad on EOF).
  bool isConnected() const override { return alive(); }
  bool isGood() const override { return alive(); }

 private:
  bool alive() const {
    auto& handle = const_cast<Session*>(this)->handle();
    if (!handle.isConnected()) return false;
    Poco::FastMutex::ScopedLock lock(handle.mutex());
    PGconn* connection = handle;
    pollfd fd{PQsocket(connection), POLLIN, 0};
    if (fd.fd < 0) return false;
    if (::poll(&fd, 1, 0) > 0) {
      if (PQconsumeInput(connection) == 0) return false;
      while (PGresult* stray = PQgetResult(connection)) PQclear(stray);
    }
    return PQstatus(connection) == CONNECTION_OK;
  }
};

class Connector : public Poco::Data::Connector {
 public:
  const std::string& name() const override {
    static const std::string key = kPostgresqlConnector;
    return key;
  }
  Poco::AutoPtr<Poco::Data::SessionImpl> createSession(const std::string& connection_string,
                                                        std::size_t timeout) override {
    probe(connection_string, timeout);
    return Poco::AutoPtr<Poco::Data::SessionImpl>(new Session(connection_string, timeout));
  }

 private:
  // Opens and closes one connection of our own, so that a server that is down
  // or refuses the credentials fails here, where the PGconn is freed, and not in
  // Poco's connect, which would leak it. The price is a second connection set-up
  // each time the pool grows — rare, and measured in milliseconds. Poco parses
  // the same "key=value key=value" text; its default connect_timeout comes first
  // so that one in the string wins, as in Poco's own option map.
  static void probe(const std::string& connection_string, std::size_t timeout) {
    const std::string conninfo = "connect_timeout=" + std::to_string(timeout) + " " + connection_string;
    PGconn* connection = PQconnectdb(conninfo.c_str());
    const bool ok = connection != nullptr && PQstatus(connection) == CONNECTION_OK;
    const std::string error = ok ? std::string() : std::string(connection ? PQerrorMessage(connection) : "out of memory");
    PQfinish(connection);
    if (!ok) throw Poco::Data::ConnectionFailedException("Connection Error: " + error);
  }
};

}  // namespace

void register_postgresql_connector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SessionFactory::instance().add(new Connector); });
}

}  // namespace zhaoyin::store
