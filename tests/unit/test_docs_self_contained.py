"""The repository explains itself: a clone holds the KPI contract and everything its documents
point at.

The marts' contract lives in ``docs/kpi-definitions.md``. Before it did, READMEs, model
descriptions (which become the PostgreSQL comments BI users read), SQL comments and code
comments pointed at a design note beside the checkout that a clone does not have. These tests
keep it that way:

- no tracked (or new, unignored) file of README.md, docs/, dbt_project/ (sql, yml, md) or
  plugins/ names that note or the folder beside the checkout;
- every relative link in README.md and docs/*.md lands on a file of the repository, and every
  ``#anchor`` into a markdown file is a heading there, as is every anchor into the contract
  written anywhere in those files or the tests (SQL comments and model descriptions too);
- every mart has its own heading in the contract, and the columns and types the contract lists
  for it are the ones its dbt contract enforces, so the document cannot drift from the tables;
- README.md stays a front door (issue 23): one screen that links the index, and the index
  (docs/README.md) lists every file of docs/, so a document moved out of the README is found.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
KPI_DOC = REPO / "docs" / "kpi-definitions.md"
MARTS = REPO / "dbt_project" / "models" / "marts"

# What may not be named: the design note (any spelling of the word in capitals, as every old
# reference wrote it) and the folder beside the checkout. No exception: docs/testing.md says
# where the optional reference files go by naming the constant in tests/conftest.py, not the path.
FORBIDDEN = (re.compile(r"\bDESIGN\b"), re.compile(r"\.\./shared"))

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_KPI_ANCHOR = re.compile(r"kpi-definitions\.md#([A-Za-z0-9_-]+)")


def _repo_files(*pathspecs: str) -> list[Path]:
    """Tracked files plus new files git does not ignore, so a file about to be committed is
    checked too, and build output (dbt's target/, .venv) never is."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *pathspecs],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    names = sorted({n for n in out.decode().split("\0") if n})
    return [REPO / n for n in names if (REPO / n).is_file()]


def _scoped_files() -> list[Path]:
    return _repo_files(
        "README.md",
        "docs",
        "plugins",
        "dbt_project/**/*.sql",
        "dbt_project/**/*.yml",
        "dbt_project/**/*.yaml",
        "dbt_project/**/*.md",
    )


def _markdown_docs() -> list[Path]:
    return [p for p in _repo_files("README.md", "docs") if p.suffix == ".md"]


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, inline code removed: a link or heading
    shown as an example is not one."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, _INLINE_CODE.sub("", line)))
    return lines


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: the text as rendered (code marks and link targets
    dropped), lower case, only word characters, hyphens and spaces kept, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    """Every heading anchor of a markdown file; a repeated heading gets -1, -2, … as on GitHub."""
    seen: Counter[str] = Counter()
    anchors = set()
    lines, fenced = path.read_text(encoding="utf-8").splitlines(), False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
            continue
        m = None if fenced else _HEADING.match(line)
        if m:
            slug = _slug(m.group(2))
            anchors.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
            seen[slug] += 1
    return anchors


def _links(path: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        found += [(number, m.group(1)) for m in _LINK.finditer(line)]
        ref = _REF_DEF.match(line)
        if ref:
            found.append((number, ref.group(1)))
    return found


# --- the anchor rule itself, on literals -------------------------------------------------------


def test_slug_follows_github() -> None:
    assert _slug("`care_usage_quarterly`") == "care_usage_quarterly"
    assert _slug("Where the marts differ") == "where-the-marts-differ"
    assert _slug("Care usage (iStandaarden declarations)") == "care-usage-istandaarden-declarations"
    assert _slug("Labels, norms and freshness") == "labels-norms-and-freshness"
    assert _slug("[`dim_unit`](x.md) *et al.*") == "dim_unit-et-al"


def test_links_skip_code_and_read_reference_definitions(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(
        'See [the contract](contract.md#grain) and ![chart](img/c.png "C").\n'
        "Not a link: `[x](nowhere.md)`.\n"
        "```\n[y](also-nowhere.md)\n```\n"
        "[ref]: ../README.md\n",
        encoding="utf-8",
    )
    assert _links(doc) == [
        (1, "contract.md#grain"),
        (1, "img/c.png"),
        (6, "../README.md"),
    ]


# --- the repository ------------------------------------------------------------------------------


def test_no_file_points_beside_the_checkout() -> None:
    problems = []
    files = _scoped_files()
    assert any(p.name == "kpi-definitions.md" for p in files), "docs/kpi-definitions.md is missing"
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        rel = path.relative_to(REPO).as_posix()
        for pattern in FORBIDDEN:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{rel}:{line}: {text.splitlines()[line - 1].strip()}")
    hint = "point at docs/kpi-definitions.md (with the mart's #anchor) instead"
    assert problems == [], hint + ":\n" + "\n".join(problems)


# One screen of a terminal or a browser window without scrolling: the README gives the start
# and where to look next; everything else belongs in docs/.
README_MAX_LINES = 45


def test_readme_fits_one_screen_and_links_the_index() -> None:
    readme = REPO / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; move what is not the start into docs/"
    )
    assert "docs/README.md" in [target for _, target in _links(readme)]


def test_the_docs_index_lists_every_document() -> None:
    index = REPO / "docs" / "README.md"
    listed = {target.partition("#")[0] for _, target in _links(index)}
    docs = {p.name for p in _markdown_docs() if p.parent.name == "docs" and p != index}
    assert "kpi-definitions.md" in docs
    assert sorted(docs - listed) == [], "add these to docs/README.md, with a line on each"


def test_relative_links_in_readme_and_docs_resolve() -> None:
    problems = []
    for doc in _markdown_docs():
        rel = doc.relative_to(REPO).as_posix()
        for number, target in _links(doc):
            if not target or _SCHEME.match(target):
                continue  # web links and mail addresses are not files of the repository
            path_part, _, anchor = target.partition("#")
            dest = (doc.parent / path_part).resolve() if path_part else doc
            if not dest.is_relative_to(REPO) or not dest.exists():
                problems.append(f"{rel}:{number}: {target} is no file of the repository")
                continue
            if anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                problems.append(f"{rel}:{number}: {target}: no heading #{anchor} there")
    assert problems == [], "\n".join(problems)


def test_every_kpi_definitions_anchor_written_anywhere_exists() -> None:
    anchors = _anchors(KPI_DOC)
    problems = []
    for path in _scoped_files() + _repo_files("tests"):
        if path.suffix not in {".md", ".sql", ".yml", ".yaml", ".py", ".txt", ".html", ".json"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _KPI_ANCHOR.finditer(text):
            if m.group(1) not in anchors:
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(REPO)}:{line}: #{m.group(1)}")
    assert problems == [], "no such heading in docs/kpi-definitions.md:\n" + "\n".join(problems)


def _contracts() -> dict[str, list[tuple[str, str]]]:
    """Every mart's enforced columns and types, from its model YAML."""
    contracts = {}
    for yml in sorted(MARTS.rglob("*.yml")):
        for model in yaml.safe_load(yml.read_text(encoding="utf-8")).get("models", []):
            contracts[model["name"]] = [
                (c["name"], " ".join(str(c.get("data_type", "")).replace(", ", ",").split()))
                for c in model.get("columns", [])
            ]
    return contracts


def _documented_columns(mart: str) -> list[tuple[str, str]] | None:
    """The (column, type) rows of the first `| column | type |` table under the mart's heading,
    or None when its section has none."""
    inside, in_table = False, False
    rows: list[tuple[str, str]] = []
    for line in KPI_DOC.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            if inside:
                break
            inside = _slug(heading.group(2)) == mart
            continue
        if not inside:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line[:1] == "|" else []
        if cells[:2] == ["column", "type"]:
            in_table = True
        elif in_table and cells and not set(cells[0]) <= set("-: "):
            rows.append((cells[0].strip("`"), cells[1].strip("`").replace(", ", ",")))
        elif in_table and not cells:
            break
    return rows if in_table else None


def test_every_mart_has_its_section_and_its_columns_match_the_contract() -> None:
    contracts = _contracts()
    models = {p.stem for p in MARTS.rglob("*.sql")}
    assert models == set(contracts), "a mart without a model YAML (or the reverse)"
    anchors = _anchors(KPI_DOC)
    missing = sorted(models - anchors)
    assert missing == [], f"marts without a heading in docs/kpi-definitions.md: {missing}"
    problems = []
    for mart in sorted(models):
        documented = _documented_columns(mart)
        if documented is None:
            problems.append(f"{mart}: no `| column | type |` table in its section")
        elif documented != contracts[mart]:
            problems.append(
                f"{mart}: the document lists {documented}, the contract enforces {contracts[mart]}"
            )
    assert problems == [], "\n".join(problems)
