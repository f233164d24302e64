# Debian packages of what build/ already holds (docs/DEPLOY.md, "Installing the packages"):
#
#   tools/package.sh          # = cpack --config build/CPackConfig.cmake; the .debs land in build/packages/
#
#   zhaoyin-host     /usr/bin/zhaoyin-host, /etc/zhaoyin/zhaoyin.properties (conffile), the
#                    zhaoyin.service unit; maintainer scripts for the zhaoyin account and
#                    /var/lib/zhaoyin (packaging/deb/zhaoyin-host/)
#   zhaoyin-tools    /usr/bin/zhaoyin (operator CLI, sandbox authority), /usr/bin/zhaoyin-wallet
#   zhaoyin-plugins  /usr/lib/zhaoyin/plugins/*.so, /etc/zhaoyin/scripts/ (conffiles)
#   zhaoyin-sdk-dev  /usr/include/zhaoyin/, /usr/lib/cmake/ZhaoyinSDK/ (Architecture: all)
#
# cpack only runs the install rules of the existing build; it compiles nothing.
# The host and plugins components install to absolute /etc/zhaoyin and /lib/systemd/system:
# `cmake --install build` without --component writes there on this machine, as any
# installation would; the SDK alone (--component sdk --prefix DIR) stays under DIR.
# Binaries are stripped in the package (CPACK_STRIP_FILES); no -dbgsym package is made.
# Dependencies: dpkg-shlibdeps over the ELF files (CPACK_DEBIAN_PACKAGE_SHLIBDEPS)
# plus what it cannot see, listed per package below.

set(ZHAOYIN_DEB_DIR ${PROJECT_SOURCE_DIR}/packaging/deb)
set(ZHAOYIN_DEB_STAGE ${PROJECT_BINARY_DIR}/packaging)
set(ZHAOYIN_DEB_PACKAGES zhaoyin-host zhaoyin-tools zhaoyin-plugins zhaoyin-sdk-dev)

# ---- the packaged configuration ------------------------------------------------------
# config/zhaoyin.properties with the paths of an installed system. Each replacement must
# hit, so a reworded line in the source file fails the configure step instead of
# silently shipping a development path.
file(READ ${PROJECT_SOURCE_DIR}/config/zhaoyin.properties zhaoyin_properties)
function(zhaoyin_properties_replace from to)
  string(FIND "${zhaoyin_properties}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "cmake/Packaging.cmake: config/zhaoyin.properties no longer contains '${from}'")
  endif()
  string(REPLACE "${from}" "${to}" replaced "${zhaoyin_properties}")
  set(zhaoyin_properties "${replaced}" PARENT_SCOPE)
endfunction()
zhaoyin_properties_replace("build/bin/zhaoyin-host --config config/zhaoyin.properties"
  "zhaoyin-host --config /etc/zhaoyin/zhaoyin.properties")
zhaoyin_properties_replace("the values\n# shown are the built-in defaults."
  "the values\n# shown are the built-in defaults, except the installed paths of store.data_dir,\n# plugins.dir and scripts.dir.")
zhaoyin_properties_replace("store.data_dir = var/data" "store.data_dir = /var/lib/zhaoyin/data")
zhaoyin_properties_replace("#plugins.dir =\n" "plugins.dir = /usr/lib/zhaoyin/plugins\n")
zhaoyin_properties_replace("#scripts.dir = scripts" "scripts.dir = /etc/zhaoyin/scripts")
zhaoyin_properties_replace("run.sh passes --sandbox var/sandbox."
  "A trial with the sandbox authority:\n# runuser -u zhaoyin -- zhaoyin sandbox init /var/lib/zhaoyin/sandbox, then set\n# authority.sandbox_dir = /var/lib/zhaoyin/sandbox (docs/DEPLOY.md).")
file(WRITE ${ZHAOYIN_DEB_STAGE}/zhaoyin.properties
"# Installed by the zhaoyin-host package: a conffile, so your changes survive upgrades.
# After editing: systemctl restart zhaoyin (systemctl reload zhaoyin re-reads only the
# plugins and the scripts). The unit runs the host as the zhaoyin user in
# /var/lib/zhaoyin, the only folder it may write.
#
${zhaoyin_properties}")

# ---- files every package carries (Debian Policy §12.5 copyright, §12.7 changelog) ----
# A native package (no Debian revision), so the changelog is changelog.gz; gzip -n keeps
# it reproducible.
execute_process(COMMAND gzip -9nc ${ZHAOYIN_DEB_DIR}/changelog
  OUTPUT_FILE ${ZHAOYIN_DEB_STAGE}/changelog.gz RESULT_VARIABLE gzip_result)
if(NOT gzip_result EQUAL 0)
  message(FATAL_ERROR "cmake/Packaging.cmake: gzip of packaging/deb/changelog failed")
endif()
# Manual pages, compressed (Debian Policy §12.1).
set(zhaoyin_man_pages zhaoyin-host zhaoyin zhaoyin-wallet)
foreach(page IN LISTS zhaoyin_man_pages)
  execute_process(COMMAND gzip -9nc ${ZHAOYIN_DEB_DIR}/man/${page}.1
    OUTPUT_FILE ${ZHAOYIN_DEB_STAGE}/${page}.1.gz RESULT_VARIABLE gzip_result)
  if(NOT gzip_result EQUAL 0)
    message(FATAL_ERROR "cmake/Packaging.cmake: gzip of packaging/deb/man/${page}.1 failed")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ZHAOYIN_DEB_DIR}/man/${page}.1)
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${ZHAOYIN_DEB_DIR}/changelog ${PROJECT_SOURCE_DIR}/config/zhaoyin.properties)

foreach(package IN LISTS ZHAOYIN_DEB_PACKAGES)
  # zhaoyin-host -> component host, zhaoyin-sdk-dev -> sdk
  string(REGEX REPLACE "^zhaoyin-([a-z]+).*$" "\\1" component ${package})
  install(FILES ${ZHAOYIN_DEB_DIR}/copyright ${ZHAOYIN_DEB_STAGE}/changelog.gz
    DESTINATION share/doc/${package} COMPONENT ${component})
  if(EXISTS ${ZHAOYIN_DEB_DIR}/${package}/lintian-overrides)
    install(FILES ${ZHAOYIN_DEB_DIR}/${package}/lintian-overrides
      DESTINATION share/lintian/overrides RENAME ${package} COMPONENT ${component})
  endif()
endforeach()

# ---- zhaoyin-host ----------------------------------------------------------------------
# (the binary: host/app/CMakeLists.txt)
install(FILES ${ZHAOYIN_DEB_STAGE}/zhaoyin.properties DESTINATION /etc/zhaoyin COMPONENT host)
# Debian 12 keeps system units in /lib/systemd/system.
install(FILES ${ZHAOYIN_DEB_DIR}/zhaoyin.service DESTINATION /lib/systemd/system COMPONENT host)
install(FILES ${PROJECT_SOURCE_DIR}/docs/DEPLOY.md DESTINATION share/doc/zhaoyin-host COMPONENT host)
install(FILES ${ZHAOYIN_DEB_STAGE}/zhaoyin-host.1.gz DESTINATION share/man/man1 COMPONENT host)

# ---- zhaoyin-tools ---------------------------------------------------------------------
# (the binaries: tools/cli/CMakeLists.txt, tools/wallet/CMakeLists.txt)
install(FILES ${ZHAOYIN_DEB_STAGE}/zhaoyin.1.gz ${ZHAOYIN_DEB_STAGE}/zhaoyin-wallet.1.gz
  DESTINATION share/man/man1 COMPONENT tools)

# ---- zhaoyin-plugins -------------------------------------------------------------------
# (the plugins: zhaoyin_add_plugin() in sdk/cmake/ZhaoyinPlugin.cmake)
# The integrators' scripts are configuration an operator edits in place: conffiles under
# /etc/zhaoyin/scripts (Debian Policy §10.7), listed from the source tree.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scripts/ DESTINATION /etc/zhaoyin/scripts COMPONENT plugins
  FILES_MATCHING PATTERN "*.lua")
install(FILES ${PROJECT_SOURCE_DIR}/scripts/README.md DESTINATION share/doc/zhaoyin-plugins
  RENAME scripts.md COMPONENT plugins)
install(FILES ${PROJECT_SOURCE_DIR}/plugins/README.md DESTINATION share/doc/zhaoyin-plugins
  COMPONENT plugins)
file(GLOB_RECURSE zhaoyin_scripts CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/scripts
  ${PROJECT_SOURCE_DIR}/scripts/*.lua)
list(SORT zhaoyin_scripts)
list(TRANSFORM zhaoyin_scripts PREPEND /etc/zhaoyin/scripts/)
list(JOIN zhaoyin_scripts "\n" zhaoyin_scripts)
file(MAKE_DIRECTORY ${ZHAOYIN_DEB_STAGE}/zhaoyin-plugins)
file(WRITE ${ZHAOYIN_DEB_STAGE}/zhaoyin-plugins/conffiles "${zhaoyin_scripts}\n")

# ---- zhaoyin-sdk-dev -------------------------------------------------------------------
# (headers and the CMake package: sdk/CMakeLists.txt)
install(FILES ${PROJECT_SOURCE_DIR}/sdk/README.md DESTINATION share/doc/zhaoyin-sdk-dev COMPONENT sdk)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugins/example/ DESTINATION share/doc/zhaoyin-sdk-dev/example
  COMPONENT sdk)

# ---- CPack -----------------------------------------------------------------------------
# cpack builds the "preinstall" target first, which otherwise depends on "all" and
# so builds every test too. Packaging needs only what is built already (tools/package.sh
# checks the binaries are there), so the install rules must not pull in "all".
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zhaoyin)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
# Install into the staging folder with DESTDIR, so the absolute destinations
# (/etc/zhaoyin, /lib/systemd/system) land in the package, never on this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL host tools plugins sdk)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Zhaoyin maintainers <zhaoyin@example.org>")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Maintainer scripts 0755 and conffiles 0644 (Debian Policy §10.9), whatever the umask.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_HOST_PACKAGE_NAME zhaoyin-host)
set(CPACK_DEBIAN_HOST_PACKAGE_SECTION net)
# adduser: postinst makes the zhaoyin account. The font: license PDFs and the
# access-application PDF are set in WenQuanYi Zen Hei. procps: /bin/kill, the
# unit's ExecReload (systemd 252 has no ReloadSignal=).
set(CPACK_DEBIAN_HOST_PACKAGE_DEPENDS "adduser, fonts-wqy-zenhei, procps")
set(CPACK_DEBIAN_HOST_PACKAGE_RECOMMENDS "zhaoyin-plugins (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_HOST_PACKAGE_SUGGESTS "zhaoyin-tools")
set(CPACK_DEBIAN_HOST_PACKAGE_CONTROL_EXTRA
  ${ZHAOYIN_DEB_DIR}/zhaoyin-host/postinst ${ZHAOYIN_DEB_DIR}/zhaoyin-host/prerm
  ${ZHAOYIN_DEB_DIR}/zhaoyin-host/postrm ${ZHAOYIN_DEB_DIR}/zhaoyin-host/conffiles)
set(CPACK_DEBIAN_HOST_DESCRIPTION
"host for electronic business licenses and e-seals (relying party)
Zhaoyin lets a relying party accept China's electronic business license and
electronic seals: QR login with a license wallet, presentation at the counter,
OpenID Connect sign-in and contract signing with e-seals.
.
This package holds the host, run by systemd as the zhaoyin user with its
configuration in /etc/zhaoyin and its state in /var/lib/zhaoyin.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME zhaoyin-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
# The sandbox authority draws seal impressions in WenQuanYi Zen Hei.
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "fonts-wqy-zenhei")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION
"operator CLI, sandbox authority and wallet simulator for Zhaoyin
zhaoyin is the operator's command line (applications, plugins, staff
accounts) and makes a sandbox issuing authority with demo enterprises, seals
and wallets. zhaoyin-wallet plays a license holder's phone: it scans login and
signing QR codes and presents the license at a counter.")

set(CPACK_DEBIAN_PLUGINS_PACKAGE_NAME zhaoyin-plugins)
set(CPACK_DEBIAN_PLUGINS_PACKAGE_SECTION net)
# The plugins are loaded by this version of the host (the ABI is checked at load time).
set(CPACK_DEBIAN_PLUGINS_PACKAGE_DEPENDS "zhaoyin-host (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_PLUGINS_PACKAGE_CONTROL_EXTRA
  ${ZHAOYIN_DEB_DIR}/zhaoyin-plugins/postinst ${ZHAOYIN_DEB_STAGE}/zhaoyin-plugins/conffiles)
set(CPACK_DEBIAN_PLUGINS_DESCRIPTION
"department plugins and scripts for the Zhaoyin host
The plugins of the tax, social insurance, real estate and banking
departments (forms, matters and rules) and an example plugin, in
/usr/lib/zhaoyin/plugins, and the integrators' Lua scripts of the same
departments in /etc/zhaoyin/scripts.")

set(CPACK_DEBIAN_SDK_PACKAGE_NAME zhaoyin-sdk-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_SDK_PACKAGE_ARCHITECTURE all)
# ZhaoyinSDKConfig.cmake finds nlohmann_json; plugins are built with CMake and a C++17 compiler.
set(CPACK_DEBIAN_SDK_PACKAGE_DEPENDS "nlohmann-json3-dev (>= 3)")
set(CPACK_DEBIAN_SDK_PACKAGE_RECOMMENDS "cmake (>= 3.20), g++")
set(CPACK_DEBIAN_SDK_DESCRIPTION
"SDK for writing Zhaoyin department plugins
The C ABI header, the header-only C++ wrapper and the CMake package
(find_package(ZhaoyinSDK), zhaoyin_add_plugin()) that a department plugin is
built against, with an example plugin.")

include(CPack)
