#pragma once
// Group commit for short, independent writes (single-use records, archives).
//
// With SQLite in WAL mode and synchronous=FULL every commit waits for an fsync,
// and on a virtual disk that is several milliseconds: one write at a time would
// cap the host at a few hundred commits per second however many cores it has.
// Writers that arrive while a commit is in flight are queued; one thread then
// runs them all in one transaction, each inside its own SAVEPOINT (none for a
// batch of one, whose failure rolls the transaction back), and commits
// once. Each caller learns its own outcome: an exception from its work rolls
// back only its own changes and is rethrown to it; a failed commit fails every
// caller of the batch. Nothing is reported done before it is durable.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace Poco::Data {
class Session;
}

namespace zhaoyin::store {

class Database;

class GroupCommit {
 public:
  using Work = std::function<void(Poco::Data::Session&)>;

  explicit GroupCommit(Database& db) : db_(db) {}
  ~GroupCommit() { stop(); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `work` in the next batch and returns once it is committed; rethrows
  // what `work` threw, or StoreError when the batch could not be committed.
  void write(Work work);

  // Finishes the queued writes and stops the thread (write() then throws).
  void stop();

 private:
  struct Pending {
    Work work;
    std::promise<void> done;
  };
  void run();
  void commit_batch(std::deque<Pending*>& batch);

  Database& db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zhaoyin::store
