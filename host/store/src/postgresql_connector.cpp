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
#include <mutex>
#include <poll.h>
#include <string>
#include <utility>

#include "sql_dialect.h"

namespace zhaoyin::store {

namespace {

namespace pg = Poco::Data::PostgreSQL;

// Poco's PostgreSQL statement, with the SQL translated before libpq prepares
// it. The rest follows the stock driver: bind, execute, fetch row by row from
// the text-format result.
class TranslatingStatement : public Poco::Data::StatementImpl {
 public:
  explicit TranslatingStatement(pg::SessionImpl& session)
      : Poco::Data::StatementImpl(session),
        executor_(session.handle()),
        binder_(new pg::Binder),
        extractor_(new pg::Extractor(executor_)) {}

 protected:
  using Poco::Data::StatementImpl::metaColumn;

  std::size_t columnsReturned() const override { return executor_.columnsReturned(); }
  int affectedRowCount() const override { return static_cast<int>(executor_.getAffectedRowCount()); }
  const Poco::Data::MetaColumn& metaColumn(std::size_t position) const override {
    return executor_.metaColumn(position);
  }

  bool hasNext() override {
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
    return executor_.state() >= pg::StatementExecutor::STMT_COMPILED && !bindings().empty() &&
           (*bindings().begin())->canBind();
  }
  bool canCompile() const override { return executor_.state() < pg::StatementExecutor::STMT_COMPILED; }

  void compileImpl() override { executor_.prepare(sql::postgresql_placeholders(toString())); }

  void bindImpl() override {
    std::size_t position = 0;
    for (auto& binding : bindings()) {
      if (!binding->canBind()) break;
      binding->bind(position);
      position += binding->numOfColumnsHandled();
    }
    binder_->updateBindVectorToCurrentValues();
    executor_.bindParams(binder_->bindVector());
    executor_.execute();
    next_ = Next::unknown;
  }

  Poco::Data::AbstractExtraction::ExtractorPtr extractor() override { return extractor_; }
  Poco::Data::AbstractBinding::BinderPtr binder() override { return binder_; }

 private:
  enum class Next { unknown, yes, no };
  pg::StatementExecutor executor_;
  Poco::SharedPtr<pg::Binder> binder_;
  Poco::SharedPtr<pg::Extractor> extractor_;
  Next next_ = Next::unknown;
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
