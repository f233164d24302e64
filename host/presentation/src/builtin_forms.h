#pragma once
// The forms every host has without any plugin: the generic face-info form
// (通用照面信息). Department forms come with their plugins. Registered as the
// first flow::ExtensionSource, active for every application.
#include <memory>
#include <zhaoyin/flow/extensions.h>

namespace zhaoyin::presentation {

std::shared_ptr<flow::ExtensionSource> builtin_forms();

}  // namespace zhaoyin::presentation
