#pragma once
// Writing the sandbox's files: whole files at once, with the permissions the
// content calls for (0600 for anything holding key material or secrets).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::sandbox {

namespace fs = std::filesystem;

enum class FileMode { Public, Secret };  // 0644 | 0600

// Writes to a temporary sibling and renames it over `path`, so a reader never
// sees half a file. Throws SandboxError naming the file on failure.
void write_file(const fs::path& path, const std::string& content, FileMode mode = FileMode::Public);
void write_file(const fs::path& path, const trust::Bytes& content, FileMode mode = FileMode::Public);
// Pretty-printed, UTF-8 as is (no \u escapes), newline at the end.
void write_json(const fs::path& path, const nlohmann::json& value, FileMode mode = FileMode::Public);

std::string read_text_file(const fs::path& path);  // throws SandboxError

}  // namespace zhaoyin::sandbox
