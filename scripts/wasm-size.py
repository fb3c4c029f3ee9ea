#!/usr/bin/env python3
# Where the wasm code goes: code-section bytes per crate, per module of
# this crate, and the largest functions, from a build that keeps its names
# (trunk build --release with data-wasm-opt="0" data-keep-debug). Sizes
# are before wasm-opt, so they rank, they do not add up to the shipped size.
# Usage: scripts/wasm-size.py path/to/app_bg.wasm
import sys, re, collections
data = open(sys.argv[1], 'rb').read()
def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
i = 8; imports_f = 0; code = []; names = {}
while i < len(data):
    sid = data[i]; i += 1
    size, i = leb(data, i); end = i + size
    if sid == 2:
        n, j = leb(data, i)
        for _ in range(n):
            l, j = leb(data, j); j += l
            l, j = leb(data, j); j += l
            kind = data[j]; j += 1
            if kind == 0: _, j = leb(data, j); imports_f += 1
            elif kind == 1: j += 1; fl, j = leb(data, j); _, j = leb(data, j); j = leb(data, j)[1] if fl & 1 else j
            elif kind == 2: fl, j = leb(data, j); _, j = leb(data, j); j = leb(data, j)[1] if fl & 1 else j
            elif kind == 3: j += 2
    elif sid == 10:
        n, j = leb(data, i)
        for _ in range(n):
            l, j = leb(data, j); code.append(l); j += l
    elif sid == 0:
        l, j = leb(data, i); nm = data[j:j+l].decode(); j += l
        if nm == 'name':
            while j < end:
                sub = data[j]; j += 1; sl, j = leb(data, j); se = j + sl
                if sub == 1:
                    n, k = leb(data, j)
                    for _ in range(n):
                        idx, k = leb(data, k); l, k = leb(data, k); names[idx] = data[k:k+l].decode('utf8', 'replace'); k += l
                j = se
    i = end
tot = sum(code)
def crate(n):
    m = re.match(r'_ZN(\d+)', n)
    if m:
        L = int(m.group(1)); seg = n[len(m.group(0)):len(m.group(0))+L]
        rest = n[len(m.group(0))+L:]
        m2 = re.match(r'(\d+)', rest)
        seg2 = rest[len(m2.group(1)):len(m2.group(1))+int(m2.group(1))] if m2 else ''
        return seg + ('::' + seg2 if seg in ('marginalia',) else '')
    if n.startswith('_ZN') or n.startswith('_R'): return 'rust-other'
    return n.split('::')[0][:40]
by = collections.Counter()
for k, l in enumerate(code):
    by[crate(names.get(k + imports_f, '?'))] += l
print('total code', tot)
for c, l in by.most_common(40): print(f'{l:9d} {100*l/tot:5.1f}% {c}')
print('--- marginalia by module')
bym = collections.Counter(); big = []
for k, l in enumerate(code):
    n = names.get(k + imports_f, '?')
    if n.startswith('marginalia::'):
        parts = n.split('::')
        bym['::'.join(parts[1:3])] += l
        big.append((l, n[:150]))
for c, l in bym.most_common(30): print(f'{l:9d} {c}')
print('--- largest functions')
allf = sorted(((l, names.get(k+imports_f,'?')[:160]) for k, l in enumerate(code)), reverse=True)[:25]
for l, n in allf: print(f'{l:8d} {n}')
