#!/usr/bin/env python3
"""Fails when, inside one crate, modules import each other in a circle (a imports b, b imports a,
directly or through others). Crates cannot: cargo refuses circular dependencies. A module is a
file under src/ (or a folder with mod.rs); its imports are the `crate::x` paths it names.

Usage: scripts/module-cycles.py [CRATE_DIR …] (default: every crate under crates/)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def modules(src):
    """Top-level module name -> the text of all its files."""
    found = {}
    for path in sorted(src.rglob("*.rs")):
        parts = path.relative_to(src).parts
        name = parts[0].removesuffix(".rs")
        if name in ("lib", "main"):
            continue
        found.setdefault(name, []).append(path.read_text())
    return found


def first_segments(group):
    """The first segment of each path in a use group's body: `a::b, c::{d, e}, f` -> a, c, f."""
    names, depth, at_start = [], 0, True
    for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|::|[{},]", group):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif token == ",":
            at_start = depth == 0
        elif token != "::" and at_start and depth == 0:
            names.append(token)
            at_start = False
    return names


def imports(texts, names):
    """The modules of this crate a module's files name as `crate::m` or in `crate::{…}` (comments
    left out)."""
    used = set()
    for text in texts:
        text = re.sub(r"//[^\n]*", "", text)
        for match in re.finditer(r"\bcrate::", text):
            rest = text[match.end():]
            if rest.startswith("{"):
                depth = 0
                for i, c in enumerate(rest):
                    depth += {"{": 1, "}": -1}.get(c, 0)
                    if depth == 0:
                        break
                candidates = first_segments(rest[1:i])
            else:
                candidates = re.findall(r"^[a-z_][a-z0-9_]*", rest)
            used.update(n for n in candidates if n in names)
    return used


def cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(args):
    crates = [pathlib.Path(a) for a in args] or sorted(p.parent for p in (ROOT / "crates").glob("*/Cargo.toml"))
    failed = False
    for crate in crates:
        found = modules(crate / "src")
        graph = {name: imports(texts, found) - {name} for name, texts in found.items()}
        for part in cycles(graph):
            failed = True
            edges = ", ".join(f"{a} → {b}" for a in part for b in sorted(graph[a]) if b in part)
            print(f"{crate.name}: modules import each other in a circle: {', '.join(part)} ({edges})")
    if not failed:
        print(f"no module import circles in {len(crates)} crates")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
