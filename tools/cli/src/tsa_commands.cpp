// zhaoyin tsa serve --sandbox DIR [--port N]: the sandbox time-stamping
// authority (tools/tsa) in the foreground until SIGINT or SIGTERM.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <pthread.h>
#include <zhaoyin/sandbox/tsa.h>
#include <zhaoyin/tsa/tsa_service.h>
#include "commands.h"

namespace zhaoyin::cli {

int tsa_serve(const std::vector<std::string>& args) {
  std::optional<std::string> dir;
  int port = 3161;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--sandbox" || a == "--port") && i + 1 >= args.size()) throw UsageError(a + " needs a value");
    if (a == "--sandbox") {
      dir = args[++i];
    } else if (a == "--port") {
      const std::string& text = args[++i];
      std::size_t used = 0;
      try {
        port = std::stoi(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || port < 0 || port > 65535) throw UsageError("--port needs a number from 0 to 65535");
    } else {
      throw UsageError("unknown option " + a);
    }
  }
  if (!dir) throw UsageError("tsa serve needs --sandbox DIR");
  // Block the stop signals before any thread starts, then wait for one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  tsa::TsaServer server(sandbox::load_tsa_credential(std::filesystem::absolute(*dir)), static_cast<std::uint16_t>(port));
  std::cout << "zhaoyin tsa: SANDBOX time-stamping authority at " << server.url() << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  server.stop();
  return kExitOk;
}

}  // namespace zhaoyin::cli
