"""Print the command lines of README.md's quick start, exactly as written there.

The quick start is the first ```bash block after the "## Quick start" heading; CI
runs each of its lines verbatim, so the README cannot drift from what works.
Exits with status 1 if the section or its block is missing or empty.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_SECTION = re.compile(r"^## Quick start\s*$", re.MULTILINE)
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def quick_start_lines(readme: str) -> list[str]:
    """The non-blank lines of the quick start's bash block."""
    section = _SECTION.search(readme)
    if section is None:
        raise SystemExit("README has no '## Quick start' section")
    block = _BLOCK.search(readme, section.end())
    if block is None:
        raise SystemExit("README's quick start has no ```bash block")
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    if not lines:
        raise SystemExit("README's quick start block is empty")
    return lines


if __name__ == "__main__":
    print("\n".join(quick_start_lines(Path(sys.argv[1]).read_text(encoding="utf-8"))))
