#pragma once
// POST /api/v1/sign-tasks bodies (docs/api/signing.md): the JSON request and
// the document it carries (a PDF or business data, base64 — or JSON data,
// signed as its canonical form).
#include <nlohmann/json.hpp>

#include "sign_task.h"

namespace zhaoyin::signing {

struct ParsedCreate {
  SignTaskRequest request;
  Bytes document;
};

// Throws http::ApiError 400 invalid_request naming the field at fault.
ParsedCreate parse_create_body(const nlohmann::json& body);

}  // namespace zhaoyin::signing
