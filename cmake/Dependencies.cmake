# All dependencies come from Debian 12 packages (tools/install-deps.sh installs them).
find_package(OpenSSL 3.0 REQUIRED)
find_package(Poco 1.11 REQUIRED COMPONENTS Foundation Util Net NetSSL JSON Data DataSQLite DataPostgreSQL Redis Crypto XML)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(PkgConfig REQUIRED)
# libqrencode, Lua 5.4 and cairo/freetype ship pkg-config files, not CMake packages.
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo cairo-ft freetype2)
# PNG files (seal impressions, QR images) and QR decoding (the wallet simulator's scan --image).
pkg_check_modules(LIBPNG REQUIRED IMPORTED_TARGET libpng)
pkg_check_modules(ZBAR REQUIRED IMPORTED_TARGET zbar)
# Reading PDFs to sign them (libqpdf: any PDF, xref streams, object streams),
# and zlib for the streams we write.
pkg_check_modules(QPDF REQUIRED IMPORTED_TARGET libqpdf)
find_package(ZLIB REQUIRED)
