// A shared library that is not a Zhaoyin plugin (no entry points).
extern "C" __attribute__((visibility("default"))) int something_else(void) { return 42; }
