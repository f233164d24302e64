#!/usr/bin/env python3
"""Where a profiled zhaoyin-host spends its CPU (docs/PERFORMANCE.md).

Reads the output of `perf script -F comm,tid,period,ip,sym,dso` (DWARF call
graphs; bench/profile_host.sh makes it) and prints, as shares of all samples:

  by component : the library (or host code) of the innermost frame, with
                 malloc/free and nlohmann::json told apart;
  by site      : the innermost host-code frame from a list of request stages,
                 so "SQLite under the token lookup" counts for the token lookup;
  inclusive    : every zhaoyin:: function, with what it calls.

It also writes <input>.folded (one "root;...;leaf count" line per stack),
the input format of flame graph renderers.
Usage: perf_breakdown.py perf.txt
"""
import collections
import re
import sys


def short(symbol):
    """A symbol without template arguments and parameter lists."""
    out, depth = [], 0
    for ch in symbol:
        if ch in '<(':
            depth += 1
        elif ch in '>)':
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return ''.join(out).replace('json_abi_v3_11_2::', '').replace('[abi:cxx11]', '').strip()


FRAME = re.compile(r'\s*[0-9a-f]+ (.*) \((.*)\)$')


def samples(path):
    """Yields each sample as a list of (symbol, library), innermost first; an
    inlined frame takes the library of the frame it was inlined into."""
    stack = None
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        if not line.strip():
            if stack:
                yield stack
            stack = None
        elif not line[0].isspace():
            stack = []
        elif stack is not None:
            m = FRAME.match(line.replace(' (deleted))', ')'))  # a plugin .so removed after loading
            if m:
                stack.append([short(m.group(1)), m.group(2)])
    if stack:
        yield stack


def resolve_inlined(stack):
    for i, frame in enumerate(stack):
        if frame[1] == 'inlined':
            frame[1] = next((f[1] for f in stack[i + 1:] if f[1] != 'inlined'), '?')
    return stack


MALLOC = ('malloc', 'free', 'unlink_chunk', 'consolidate', 'tcache', 'operator new', 'operator delete')


def component(stack):
    symbol, library = stack[0]
    if 'kernel' in library:
        return 'kernel (syscalls, scheduling, TCP over loopback)'
    if 'libcrypto' in library:
        return 'libcrypto (OpenSSL)'
    if 'libsqlite3' in library:
        return 'SQLite'
    if any(k in symbol for k in MALLOC) and ('libc.so' in library or 'libstdc++' in library):
        return 'malloc/free'
    if 'libc.so' in library:
        return 'libc other (memcpy, strings, locks)'
    if 'libstdc++' in library:
        return 'libstdc++ (streams, trees, strings)'
    if 'libPoco' in library:
        return 'Poco ' + re.sub(r'.*libPoco(\w+)\.so.*', r'\1', library)
    if 'zhaoyin-plugins' in library:
        return 'plugins (.so)'
    if 'lua' in library:
        return 'Lua'
    if 'zhaoyin-host' in library:
        return 'host code: nlohmann::json' if 'nlohmann' in symbol else 'host code: own'
    return library.rsplit('/', 1)[-1]


# Request stages, innermost first wins: a sample counts for the first of these
# found walking out from the leaf.
SITES = ['verify_presentation_signature', 'TokenRepository::find_valid', 'ApplicationRepository::find',
         'ExtensionBindingRepository', 'PluginExtension::on_flow', 'check_chain', 'verify_subject',
         'ArchiveRepository::record', 'GroupCommit', 'Database::session', 'to_json', 'JsonLog', 'Metrics',
         'UsageGate', 'send_json', 'Exchange::', 'authenticate_bearer', 'Extensions::', 'verify_and_archive',
         'CreatePresentation::handle', 'EdgeHandler', 'Front::']


def main():
    path = sys.argv[1]
    components, sites, inclusive, callees = (collections.Counter() for _ in range(4))
    folded = collections.Counter()
    total = 0
    for stack in samples(path):
        if not stack:
            continue
        resolve_inlined(stack)
        total += 1
        components[component(stack)] += 1
        symbols = [s for s, _ in stack]
        site = next((k for s in symbols if 'zhaoyin::' in s for k in SITES if k in s), None)
        sites[site or '(no host frame: threads outside requests, kernel work)'] += 1
        seen = set()
        for i, s in enumerate(symbols):
            if 'zhaoyin::' in s and s not in seen:
                seen.add(s)
                inclusive[s] += 1
        folded[';'.join(reversed(symbols))] += 1

    def show(title, counter, limit):
        print(f'\n== {title} (share of {total} samples)')
        for key, count in counter.most_common(limit):
            print(f'{100.0 * count / total:6.1f}%  {key[:120]}')

    show('by component (library of the innermost frame)', components, 20)
    show('by request stage (innermost host frame among the stages)', sites, 25)
    show('host functions, inclusive', inclusive, 40)
    with open(path + '.folded', 'w') as f:
        for stack, count in folded.items():
            f.write(f'{stack} {count}\n')


if __name__ == '__main__':
    main()
