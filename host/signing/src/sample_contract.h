#pragma once
// The demo's sample contract: a two-page A4 PDF with Chinese text drawn with
// cairo (the sandbox's WenQuanYi Zen Hei font), the second page with room for seals.
#include <string>

#include "sign_task.h"

namespace zhaoyin::signing {

Bytes sample_contract_pdf(const std::string& party_a, const std::string& party_b);

}  // namespace zhaoyin::signing
