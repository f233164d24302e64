// A plugin whose init refuses to load.
#include <zhaoyin/plugin_abi.h>

extern "C" ZHAOYIN_PLUGIN_EXPORT uint32_t zhaoyin_plugin_abi_version(void) { return ZHAOYIN_PLUGIN_ABI_VERSION; }
extern "C" ZHAOYIN_PLUGIN_EXPORT zhaoyin_status zhaoyin_plugin_init(const zhaoyin_host_api*, size_t, zhaoyin_plugin_def*,
                                                                     size_t) {
  return ZHAOYIN_STATUS_ERROR;
}
