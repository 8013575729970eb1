"""GX Data Docs that open without internet.

GX 1.x's page templates load jQuery, Bootstrap, bootstrap-table, the datepicker, Font Awesome,
vega and a dark theme from public CDNs, and its logo from S3. The warehouse has no internet, so
those pages would open unstyled, with empty tables and console errors. After GX has built the
site, the files in `vendor/` (see its README: versions, licences, sources) are copied into the
site and every page is pointed at them.

The mapping below is explicit on purpose: a GX upgrade that links a new URL (or a new version
of a library) is not silently loaded from the internet but stops the build with the URL named
(`OfflineDocsError`), and the vendored file or the mapping is updated deliberately.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "vendor"
SITE_VENDOR = "static/vendor"  # inside the GX site folder
# What a dropped asset is replaced by: nothing (the tag is removed).
DROP = None

# Every external URL GX's templates reference (query strings ignored) → the file to use instead,
# relative to the site folder, or DROP for a library the pages never call.
ASSETS: dict[str, str | None] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": f"{SITE_VENDOR}/jquery@3.7.1/jquery.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        f"{SITE_VENDOR}/bootstrap@4.3.1/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        f"{SITE_VENDOR}/bootstrap@4.3.1/bootstrap.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        f"{SITE_VENDOR}/popper.js@1.12.9/popper.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        f"{SITE_VENDOR}/bootstrap-table@1.19.1/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        f"{SITE_VENDOR}/bootstrap-table@1.19.1/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        f"{SITE_VENDOR}/bootstrap-table@1.19.1/bootstrap-table-filter-control.min.js"
    ),
    # GX links the 1.19.0 filter-control CSS (minified on the index, plain on other pages)
    # beside the 1.19.1 JavaScript: both get the CSS of the JavaScript's version.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        f"{SITE_VENDOR}/bootstrap-table@1.19.1/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        f"{SITE_VENDOR}/bootstrap-table@1.19.1/bootstrap-table-filter-control.min.css"
    ),
    # the index table filters its run-time column with a datepicker
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": (
        f"{SITE_VENDOR}/bootstrap-datepicker@1.9.0/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": (
        f"{SITE_VENDOR}/bootstrap-datepicker@1.9.0/bootstrap-datepicker.min.css"
    ),
    # status icons (fas fa-check-circle, fas fa-times)
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        f"{SITE_VENDOR}/fontawesome-free@6.6.0/css/all.min.css"
    ),
    # GX ships its logo in the site itself; the S3 copies (light and dark) are not needed.
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png": (
        "static/images/logo-long.png"
    ),
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png": (
        "static/images/logo-long.png"
    ),
    # Only graph content blocks call vegaEmbed; our suites render none (checked below).
    "https://cdn.jsdelivr.net/npm/vega@5": DROP,
    "https://cdn.jsdelivr.net/npm/vega-lite@5": DROP,
    "https://cdn.jsdelivr.net/npm/vega-embed@6": DROP,
    # a dark theme for browsers that ask for one; the pages stay light
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": DROP,
}

# A tag with an external src/href; a <script> tag includes its (empty) body and end tag, so
# that dropping it leaves nothing behind.
_TAG = re.compile(
    r"<(?P<name>[a-zA-Z]+)\b[^>]*?\b(?:src|href)=\"(?P<url>https?://[^\"]+)\"[^>]*>"
    r"(?:\s*</script>)?"
)
_CSS_URL = re.compile(r"url\((?P<quote>['\"]?)(?P<url>https?://[^)'\"]+)(?P=quote)\)")
# A reference to the site's own static folder. GX counts the depth of a validation page one
# folder short for the favicon (`../../../../static/...` from five folders down), so every such
# reference is re-rooted at the site.
_STATIC_REF = re.compile(r"\b(?P<attr>src|href)=\"(?:\./|(?:\.\./)+)(?P<path>static/[^\"]+)\"")
# Any src/href of a tag other than <a>: what the browser fetches when it opens the page.
_FETCHED = re.compile(r"<(?P<name>[a-zA-Z]+)\b[^>]*?\b(?:src|href)=\"(?P<ref>[^\"]+)\"")
# Attributes that make a browser fetch a script with CORS, which file:// pages cannot.
_CORS_ATTRS = re.compile(r"\s+(?:integrity|crossorigin)=\"[^\"]*\"")


class OfflineDocsError(RuntimeError):
    """A GX page needs something from the internet that is not vendored; the message names it."""


def make_offline(site_dir: Path) -> int:
    """Copy the vendored files into the GX site and point every page at them. Returns the
    number of pages rewritten; raises OfflineDocsError naming each page and URL that would
    still be fetched from the internet."""
    target = site_dir / SITE_VENDOR
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(VENDOR_DIR, target, ignore=shutil.ignore_patterns("README.md"))
    problems: list[str] = []
    pages = sorted(site_dir.rglob("*.html"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        prefix = Path(os.path.relpath(site_dir, page.parent)).as_posix() + "/"
        rewritten = _rewrite(text, prefix)
        problems += [f"{page.relative_to(site_dir)}: {url}" for url in external_urls(rewritten)]
        problems += [
            f"{page.relative_to(site_dir)}: {ref} (no such file)"
            for ref in _missing_local(rewritten, page.parent)
        ]
        if "vegaEmbed(" in rewritten:
            problems.append(f"{page.relative_to(site_dir)}: a vega graph (vega is not vendored)")
        page.write_text(rewritten, encoding="utf-8")
    if problems:
        raise OfflineDocsError(
            "GX Data Docs would not work offline (vendor the file in sdw/report/vendor and map "
            "its URL in ASSETS, sdw/report/gx_offline.py):\n  " + "\n  ".join(problems)
        )
    return len(pages)


def _rewrite(text: str, prefix: str) -> str:
    def tag(match: re.Match[str]) -> str:
        url = match["url"]
        key = url.split("?", 1)[0]
        if match["name"].lower() == "a" or key not in ASSETS:
            return match[0]
        local = ASSETS[key]
        if local is DROP:
            return ""
        # `url` is a non-empty attribute value, so replacing it touches only that attribute.
        return _CORS_ATTRS.sub("", match[0].replace(f'"{url}"', f'"{prefix}{local}"'))

    def css(match: re.Match[str]) -> str:
        local = ASSETS.get(match["url"].split("?", 1)[0])
        if local is None:
            return match[0]
        return f"url({match['quote']}{prefix}{local}{match['quote']})"

    def static(match: re.Match[str]) -> str:
        return f'{match["attr"]}="{prefix}{match["path"]}"'

    return _STATIC_REF.sub(static, _CSS_URL.sub(css, _TAG.sub(tag, text)))


def _missing_local(text: str, folder: Path) -> list[str]:
    """Local files a page fetches (not its links) that are not there."""
    return [
        m["ref"]
        for m in _FETCHED.finditer(text)
        if m["name"].lower() != "a"
        and not re.match(r"https?:|data:|#", m["ref"])
        and not (folder / m["ref"]).is_file()
    ]


def external_urls(text: str) -> list[str]:
    """URLs a browser would fetch from the internet when it opens the page: src/href of every
    tag except plain <a> links, and CSS url(...)."""
    found = [m["url"] for m in _TAG.finditer(text) if m["name"].lower() != "a"]
    return found + [m["url"] for m in _CSS_URL.finditer(text)]
