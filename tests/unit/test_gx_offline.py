"""The offline rewrite of GX Data Docs pages, on hand-written pages: CDN tags point at the
vendored copies at the right depth, unused libraries are dropped, plain links stay, and a URL
that is not in the mapping stops the build with the URL named."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdw.report.gx_offline import OfflineDocsError, make_offline

HEAD = """<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css" />
<style>.navbar-brand a { background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png') 0 0 no-repeat; }</style>
<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js" integrity="sha384-x" crossorigin="anonymous"></script>
<link rel="shortcut icon" href="{favicon}" type="image/x-icon"/>
</head><body>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=20261130T191219.319706Z">
<a href="https://greatexpectations.io">Great Expectations</a>
</body></html>"""  # noqa: E501


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "gx-docs"
    (site / "static" / "images").mkdir(parents=True)
    for name in ("logo-long.png", "favicon.ico"):
        (site / "static" / "images" / name).write_bytes(b"x")
    (site / "index.html").write_text(HEAD.replace("{favicon}", "./static/images/favicon.ico"))
    nested = site / "validations" / "suite_ns" / "suite" / "run" / "time"
    nested.mkdir(parents=True)
    # GX writes the favicon of a nested page one folder short
    (nested / "page.html").write_text(
        HEAD.replace("{favicon}", "../../../../static/images/favicon.ico")
    )
    return site


def test_pages_point_at_vendored_files_at_their_depth(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert make_offline(site) == 2
    nested = (site / "validations/suite_ns/suite/run/time/page.html").read_text()
    up = "../../../../../"  # validations/suite_ns/suite/run/time: five folders down
    assert f'<script src="{up}static/vendor/jquery@3.7.1/jquery.min.js"></script>' in nested
    # no CORS attributes: a file:// page cannot fetch a script with CORS
    assert f'<script src="{up}static/vendor/popper.js@1.12.9/popper.min.js"></script>' in nested
    assert f'href="{up}static/vendor/bootstrap@4.3.1/bootstrap.min.css"' in nested
    assert f'<img src="{up}static/images/logo-long.png">' in nested
    assert f"url('{up}static/images/logo-long.png')" in nested
    assert f'href="{up}static/images/favicon.ico"' in nested
    assert "vega" not in nested and "bootstrap-dark" not in nested
    assert '<a href="https://greatexpectations.io">' in nested
    index = (site / "index.html").read_text()
    assert '<script src="./static/vendor/jquery@3.7.1/jquery.min.js"></script>' in index
    assert (site / "static/vendor/jquery@3.7.1/jquery.min.js").stat().st_size == 87_533
    assert (site / "static/vendor/jquery@3.7.1/LICENSE.txt").is_file()


def test_an_unknown_url_stops_the_build_with_the_url_named(tmp_path: Path) -> None:
    site = _site(tmp_path)
    page = site / "index.html"
    page.write_text(
        page.read_text().replace(
            "</head>",
            '<script src="https://unpkg.com/bootstrap-table@1.24.0/x.js"></script></head>',
        )
    )
    with pytest.raises(
        OfflineDocsError, match=r"index.html: https://unpkg.com/bootstrap-table@1.24.0/x.js"
    ):
        make_offline(site)


def test_a_vega_graph_stops_the_build(tmp_path: Path) -> None:
    site = _site(tmp_path)
    page = site / "index.html"
    page.write_text(
        page.read_text().replace("</body>", "<script>vegaEmbed('#g', spec)</script></body>")
    )
    with pytest.raises(OfflineDocsError, match="vega is not vendored"):
        make_offline(site)
