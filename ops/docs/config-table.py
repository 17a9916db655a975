#!/usr/bin/env python3
"""Rewrites the configuration table of README.md from config/*.properties (comments become descriptions).

Run from anywhere after adding or changing a knob:  python3 ops/docs/config-table.py
Check only (run by `mvn verify` in ops/, exits 1 when the README is stale):  python3 ops/docs/config-table.py --check

A comment block describes every key that follows it up to the next comment or blank line, so one comment may
serve a group of keys ("Explicit timeouts of each upstream call." above three timeout keys). Section rules
(`# --- ...`) and blank lines end a block. A key left without a description is an error: every knob must say
what it means. HubConfigTest separately fails when the README misses a key or shows a stale default.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FILES = ["config/hub.properties", "config/security.properties", "config/resilience.properties"]
START = "| key | environment variable | default | meaning |"
END = "\n\n## "


def rows(path, errors):
    comment = []
    keys_since_comment = 0
    for number, line in enumerate((ROOT / path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("# ---"):
            comment, keys_since_comment = [], 0
            continue
        if line.startswith("#"):
            if keys_since_comment:  # a comment after keys starts the next block
                comment, keys_since_comment = [], 0
            comment.append(line[1:].strip())
            continue
        key, value = line.split("=", 1)
        key = key.strip()
        keys_since_comment += 1
        meaning = " ".join(comment).replace("|", "/")
        if not meaning:
            errors.append(f"{path}:{number}: {key} has no description (add a comment line above it)")
        env = "HUB_" + key.upper().replace(".", "_").replace("-", "_")
        shown = f"`{value}`" if value else "(empty)"
        yield f"| `{key}` | `{env}` | {shown} | {meaning} |"


def table(errors):
    lines = [START, "| --- | --- | --- | --- |"]
    for path in FILES:
        lines.extend(rows(path, errors))
    return lines


def main(argv):
    check = "--check" in argv[1:]
    errors = []
    lines = table(errors)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index(START)
    end = text.index(END, start)
    updated = text[:start] + "\n".join(lines) + text[end:]
    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(f"config-table: {len(errors)} key(s) without a description; README.md left unchanged", file=sys.stderr)
        return 1
    if check:
        if updated != text:
            print("config-table: README.md configuration table is out of date with config/*.properties; "
                  "run python3 ops/docs/config-table.py", file=sys.stderr)
            return 1
        print(f"config-table: README.md up to date, {len(lines) - 2} configuration rows")
        return 0
    readme.write_text(updated, encoding="utf-8")
    print(f"README.md: {len(lines) - 2} configuration rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
