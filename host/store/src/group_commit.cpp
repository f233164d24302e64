#include "group_commit.h"

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <vector>
#include <zhaoyin/store/database.h>

namespace zhaoyin::store {

using namespace Poco::Data::Keywords;

void GroupCommit::write(Work work) {
  Pending pending{std::move(work), {}};
  auto done = pending.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw StoreError("the store is closed");
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    queue_.push_back(&pending);
  }
  wake_.notify_one();
  done.get();
}

void GroupCommit::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GroupCommit::run() {
  for (;;) {
    std::deque<Pending*> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      batch.swap(queue_);
    }
    commit_batch(batch);
  }
}

void GroupCommit::commit_batch(std::deque<Pending*>& batch) {
  std::vector<std::exception_ptr> outcome(batch.size());
  std::exception_ptr batch_failure;
  try {
    auto s = db_.session();
    s.begin();
    try {
      db_.lock_for_write(s);  // the batch's works may read before they write
      // Each work in its own savepoint, so a failure undoes only its changes.
      // A savepoint is not released after a work that succeeded: the commit
      // releases them all, and every statement is a round trip on PostgreSQL.
      // (ROLLBACK TO goes back to the newest savepoint of that name, i.e. this
      // work's: PostgreSQL and SQLite both keep same-named savepoints nested —
      // the PostgreSQL manual, SAVEPOINT, "Compatibility"; SQLite, "lang_savepoint".)
      // A batch of one needs none: its failure rolls the transaction back.
      const bool savepoints = batch.size() > 1;
      bool committed_work = false;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (savepoints) s << "SAVEPOINT zhaoyin_write", now;
        try {
          batch[i]->work(s);
          committed_work = true;
        } catch (...) {
          outcome[i] = std::current_exception();
          if (savepoints) s << "ROLLBACK TO SAVEPOINT zhaoyin_write", now;
        }
      }
      if (committed_work) s.commit();
      else s.rollback();
    } catch (...) {
      try {
        s.rollback();
      } catch (...) {
      }
      throw;
    }
  } catch (const Poco::Exception& e) {
    batch_failure = std::make_exception_ptr(StoreError("cannot commit: " + e.displayText()));
  } catch (const std::exception& e) {
    batch_failure = std::make_exception_ptr(StoreError(std::string("cannot commit: ") + e.what()));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch_failure) batch[i]->done.set_exception(batch_failure);
    else if (outcome[i]) batch[i]->done.set_exception(outcome[i]);
    else batch[i]->done.set_value();
  }
}

}  // namespace zhaoyin::store
