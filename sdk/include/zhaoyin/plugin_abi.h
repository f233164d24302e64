/*
 * Zhaoyin (照印) department plugin ABI — the one C header a plugin and the host
 * share. A plugin is a shared library the host dlopen()s from plugins.dir.
 *
 * Naming shows direction:
 *   zhaoyin_plugin_*   entry points the plugin exports (the host calls them once)
 *   on_*               hooks in zhaoyin_plugin_def the plugin implements (host -> plugin)
 *   host_*             functions in zhaoyin_host_api the host implements (plugin -> host)
 *
 * Versioning (docs/PLUGINS.md, "ABI rules"):
 *   - ZHAOYIN_PLUGIN_ABI_VERSION changes only for an incompatible change; the
 *     host refuses a plugin whose zhaoyin_plugin_abi_version() differs.
 *   - Compatible growth only APPENDS fields at the end of zhaoyin_host_api and
 *     zhaoyin_plugin_def. Both carry their size: the host passes the size of
 *     its zhaoyin_host_api and of the zhaoyin_plugin_def it offers; a plugin
 *     reads a host field only when host_api_size covers it, and writes only
 *     the def fields that def_size covers. An older plugin simply leaves the
 *     newer def fields zero (NULL = "not implemented").
 *
 * Data crossing the boundary is NUL-terminated UTF-8: identifiers, and JSON
 * text for everything structured (events, decisions, forms, values). No C++
 * type ever crosses; no exception may leave a plugin function (the C++
 * wrapper, zhaoyin/plugin.hpp, catches everything and returns an error).
 *
 * Errors are values: every hook returns a zhaoyin_status; on
 * ZHAOYIN_STATUS_ERROR its output is an error message (plain text) instead of
 * the JSON result.
 */
#ifndef ZHAOYIN_PLUGIN_ABI_H
#define ZHAOYIN_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. */
#define ZHAOYIN_PLUGIN_ABI_VERSION 1u

/* Symbols a plugin exports; everything else should stay hidden
 * (-fvisibility=hidden, which the ZhaoyinSDK CMake package sets). */
#if defined(_WIN32)
#define ZHAOYIN_PLUGIN_EXPORT __declspec(dllexport)
#else
#define ZHAOYIN_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Result of every hook. */
typedef int32_t zhaoyin_status;
#define ZHAOYIN_STATUS_OK 0        /* *out holds the JSON result (or NULL when none is defined)  */
#define ZHAOYIN_STATUS_ERROR 1     /* *out holds an error message (UTF-8 text), or NULL          */
#define ZHAOYIN_STATUS_NOT_MINE 2  /* on_fill_form: this form is not the plugin's; *out is NULL */

/* Log levels for host_log. */
#define ZHAOYIN_LOG_DEBUG 0
#define ZHAOYIN_LOG_INFO 1
#define ZHAOYIN_LOG_WARNING 2
#define ZHAOYIN_LOG_ERROR 3

/*
 * What the host offers the plugin.
 * Ownership: allocated and owned by the host; valid from zhaoyin_plugin_init
 * until the plugin's on_unload returns. The plugin may keep the pointer.
 * Growth: fields are only ever appended; check `size` before reading a field
 * added after version 1 (offsetof(zhaoyin_host_api, field) < size).
 */
typedef struct zhaoyin_host_api {
  size_t size;          /* sizeof(zhaoyin_host_api) as the host was built */
  uint32_t abi_version; /* ZHAOYIN_PLUGIN_ABI_VERSION of the host */
  const char* host_version; /* the host's build version, e.g. "0.1.0"; host-owned, static */
  void* host;           /* opaque; pass back to host_* functions */
  /* Writes one line to the host's JSON log, attributed to the plugin.
   * `message` is borrowed for the duration of the call. Thread-safe. */
  void (*host_log)(void* host, int32_t level, const char* plugin_id, const char* message);
} zhaoyin_host_api;

/*
 * What the plugin declares and implements, filled in by zhaoyin_plugin_init.
 *
 * Ownership: the struct itself is allocated by the host (zeroed, `size` set);
 * the plugin fills it. Every string it points to is allocated and owned by
 * the plugin and must stay valid and unchanged until on_unload returns.
 * Results of hooks (*out) are allocated by the plugin and handed to the host,
 * which gives each back exactly once through free_result.
 *
 * Threads: the host calls on_flow / on_fill_form from several request threads
 * at once; on_configure may run concurrently with them. A plugin must be
 * thread-safe (the C++ wrapper serialises on_configure against the others).
 */
typedef struct zhaoyin_plugin_def {
  size_t size; /* set by the host to the size of the struct it allocated */

  /* Identity. id: [a-z0-9_]{1,64}, unique among loaded plugins; it is the name
   * applications bind (ExtensionBindingRepository) and the "plugin:<id>"
   * source in decisions and errors. */
  const char* id;
  const char* name;       /* display name, e.g. "税务" */
  const char* version;    /* the plugin's own version, e.g. "1.2.0" */
  const char* department; /* e.g. "税务", "人力资源社会保障", "不动产登记", "金融" */

  /* Matters contributed to the 授权事项 tree, JSON array:
   * [{"path": "电子政务/税务/发票申领", "name": "发票申领", "label"?: "..."}] */
  const char* matters_json;
  /* Forms, JSON array: [{"id": "tax.invoice_application", "title": "发票申领",
   *   "fields": [{"key", "label", "type"?: "text", "required"?: false,
   *               "pattern"?: "<ECMAScript regex>", "options"?: [..]}]}]
   * Form ids are unique across plugins; prefix them with the plugin id. */
  const char* forms_json;
  /* Configuration schema, JSON array: [{"key", "label", "type": "string"|
   *   "integer"|"boolean"|"string_list", "default": <value>, "description"?}] */
  const char* config_schema_json;

  /* The plugin's state, passed back as the first argument of every hook.
   * Allocated and owned by the plugin; freed in on_unload. */
  void* instance;

  /* Receives configuration values (JSON object key -> value, already
   * validated against config_schema_json and completed with defaults). Called
   * once after init and again whenever an operator changes them.
   * `config_json` is borrowed for the call. OK: *out NULL; ERROR: message. */
  zhaoyin_status (*on_configure)(void* instance, const char* config_json, char** out);

  /* Policy hook at a flow point. `event_json` (borrowed) is
   *   {"point": "login_confirmed"|"presentation_verified"|"form_prefill"|
   *             "sign_task_created"|"signature_made",
   *    "client_id", "application": {...}, "subject": {...}|null, "detail": {...}}
   * (shapes: zhaoyin/flow/extensions.h, docs/PLUGINS.md). On OK, *out is
   *   {"decision": "allow"|"refuse", "reason"?: "shown to the caller",
   *    "requirements"?: {"seal_types": ["invoice", ...]}}
   * NULL hook or *out NULL: allow. */
  zhaoyin_status (*on_flow)(void* instance, const char* event_json, char** out);

  /* Fills one of the plugin's forms from the event's verified subject (point
   * "form_prefill", detail.form_id). On OK, *out is
   *   {"values": {key: "text"}, "labels"?: {key: "label when it differs"}}
   * NOT_MINE when form_id is not one of its forms. */
  zhaoyin_status (*on_fill_form)(void* instance, const char* form_id, const char* event_json, char** out);

  /* Gives back a result the plugin produced (*out of any hook). Required. */
  void (*free_result)(void* instance, char* result);

  /* Last call before dlclose: free `instance` and everything the def points
   * to. The host makes no call into the plugin afterwards. */
  void (*on_unload)(void* instance);

  /* New fields are appended here, never inserted above. */
} zhaoyin_plugin_def;

/*
 * Required entry point 1: the ABI the plugin was built for
 * (return ZHAOYIN_PLUGIN_ABI_VERSION). Called first; the host refuses the
 * plugin when it differs from its own and calls nothing else.
 */
typedef uint32_t (*zhaoyin_plugin_abi_version_fn)(void);

/*
 * Required entry point 2: fills `def` (host-allocated, zeroed, def->size =
 * def_size). `host` is valid until on_unload; host_api_size is the host's
 * sizeof(zhaoyin_host_api). Return ZHAOYIN_STATUS_OK, or ZHAOYIN_STATUS_ERROR
 * to refuse loading (the host then dlcloses without calling on_unload, so
 * free anything allocated before returning an error).
 */
typedef zhaoyin_status (*zhaoyin_plugin_init_fn)(const zhaoyin_host_api* host, size_t host_api_size,
                                                 zhaoyin_plugin_def* def, size_t def_size);

#define ZHAOYIN_PLUGIN_ABI_VERSION_SYMBOL "zhaoyin_plugin_abi_version"
#define ZHAOYIN_PLUGIN_INIT_SYMBOL "zhaoyin_plugin_init"

/* The smallest zhaoyin_plugin_def a version-1 host accepts (up to on_unload). */
#define ZHAOYIN_PLUGIN_DEF_V1_SIZE (offsetof(zhaoyin_plugin_def, on_unload) + sizeof(void (*)(void*)))

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ZHAOYIN_PLUGIN_ABI_H */
