// zhaoyin-host: see include/zhaoyin/app/host_application.h.
#include <Poco/Exception.h>
#include <iostream>
#include <zhaoyin/app/host_application.h>

int main(int argc, char** argv) {
  try {
    zhaoyin::app::HostApplication app;
    return app.run(argc, argv);
  } catch (const Poco::Exception& e) {
    std::cerr << "zhaoyin-host: " << e.displayText() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "zhaoyin-host: " << e.what() << '\n';
  }
  return 70;  // EX_SOFTWARE
}
