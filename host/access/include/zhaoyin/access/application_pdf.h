#pragma once
// Printing options of the access form's PDF (render_application_pdf in
// access_service.h prints with the defaults).
#include <string>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::access {

struct PrintOptions {
  // The host runs the sandbox: every page says 沙箱 (Sandbox) in a banner and
  // a watermark, so a printed demo application is never mistaken for a real one.
  bool sandbox = false;
};

std::string render_application_pdf(const AccessApplication& application, const PrintOptions& options);

}  // namespace zhaoyin::access
