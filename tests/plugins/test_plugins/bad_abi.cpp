// A plugin built for another ABI version: the host must refuse it before init.
#include <zhaoyin/plugin_abi.h>

extern "C" ZHAOYIN_PLUGIN_EXPORT uint32_t zhaoyin_plugin_abi_version(void) { return 999; }
extern "C" ZHAOYIN_PLUGIN_EXPORT zhaoyin_status zhaoyin_plugin_init(const zhaoyin_host_api*, size_t, zhaoyin_plugin_def*,
                                                                     size_t) {
  __builtin_trap();  // never called
}
