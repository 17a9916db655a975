#!/usr/bin/env python3
"""Rewrites the configuration table of README.md from config/*.properties (comments become descriptions).

Run from the repository root after adding or changing a knob: python3 ops/docs/config-table.py
HubConfigTest fails when the README misses a key or shows a stale default.
"""
import pathlib

FILES = ["config/hub.properties", "config/security.properties", "config/resilience.properties"]
START = "| key | environment variable | default | meaning |"
END = "\n\n## "


def rows(path):
    comment = []
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# ---"):
            comment = []
            continue
        if line.startswith("#"):
            comment.append(line[1:].strip())
            continue
        key, value = line.split("=", 1)
        env = "HUB_" + key.upper().replace(".", "_").replace("-", "_")
        shown = f"`{value}`" if value else "(empty)"
        yield f"| `{key}` | `{env}` | {shown} | {' '.join(comment).replace('|', '/')} |"
        comment = []


def main():
    table = [START, "| --- | --- | --- | --- |"]
    for path in FILES:
        table.extend(rows(path))
    readme = pathlib.Path("README.md")
    text = readme.read_text(encoding="utf-8")
    start = text.index(START)
    end = text.index(END, start)
    readme.write_text(text[:start] + "\n".join(table) + text[end:], encoding="utf-8")
    print(f"README.md: {len(table) - 2} configuration rows")


if __name__ == "__main__":
    main()
