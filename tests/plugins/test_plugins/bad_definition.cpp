// A plugin whose definition is wrong: an id the host does not accept and
// forms that are not JSON. The host must refuse it (and call on_unload).
#include <zhaoyin/plugin_abi.h>

static void no_free(void*, char*) {}
static void unload(void*) {}

extern "C" ZHAOYIN_PLUGIN_EXPORT uint32_t zhaoyin_plugin_abi_version(void) { return ZHAOYIN_PLUGIN_ABI_VERSION; }
extern "C" ZHAOYIN_PLUGIN_EXPORT zhaoyin_status zhaoyin_plugin_init(const zhaoyin_host_api*, size_t,
                                                                     zhaoyin_plugin_def* def, size_t) {
  def->id = "bad_definition";
  def->name = "坏定义";
  def->version = "1";
  def->department = "测试";
  def->forms_json = "[{\"id\": \"x\", \"title\": ";
  def->free_result = &no_free;
  def->on_unload = &unload;
  return ZHAOYIN_STATUS_OK;
}
