# zhaoyin_add_plugin(<id> <sources>... [OUTPUT_DIRECTORY dir] [NO_INSTALL])
#
# Builds a Zhaoyin department plugin: a MODULE library named <id>.so (no "lib"
# prefix) linked against ZhaoyinSDK::sdk, with hidden symbol visibility so
# only the two entry points of ZHAOYIN_PLUGIN() are exported, and no undefined
# symbols left for the host to resolve. Installs to lib/zhaoyin/plugins
# (component "plugins"), unless NO_INSTALL (e.g. plugins made only for tests).
include_guard(GLOBAL)

function(zhaoyin_add_plugin id)
  cmake_parse_arguments(P "NO_INSTALL" "OUTPUT_DIRECTORY" "" ${ARGN})
  add_library(${id} MODULE ${P_UNPARSED_ARGUMENTS})
  if(TARGET ZhaoyinSDK::sdk)
    target_link_libraries(${id} PRIVATE ZhaoyinSDK::sdk)
  else()
    target_link_libraries(${id} PRIVATE zhaoyin_sdk)
  endif()
  set_target_properties(${id} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(P_OUTPUT_DIRECTORY)
    set_target_properties(${id} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY})
  endif()
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_link_options(${id} PRIVATE "LINKER:--no-undefined")
  endif()
  # In-tree only: the "asan" preset (ZHAOYIN_SANITIZE) sanitises the plugins
  # the host loads as well as the host. An out-of-tree build never sets it.
  if(ZHAOYIN_SANITIZE AND TARGET zhaoyin_options)
    target_link_libraries(${id} PRIVATE zhaoyin_options)
  endif()
  if(NOT P_NO_INSTALL)
    install(TARGETS ${id} LIBRARY DESTINATION lib/zhaoyin/plugins COMPONENT plugins)
  endif()
endfunction()
