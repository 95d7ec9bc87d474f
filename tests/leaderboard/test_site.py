"""The HTML site without a browser: files, escaping, no network, written whole or not at all."""

import re

import pytest

from leaderboard import build_tables, write_site
from leaderboard.frame import records_frame
from leaderboard.site import provenance


@pytest.fixture
def site(showcase, rec, tmp_path):
    showcase += [rec("m", s, {"forget.r_mean": 1.0, "test.r_mean": 2.0}, task="other")
                 for s in (0, 1)]
    df = records_frame(showcase)
    index = write_site(build_tables(df), tmp_path / "site", provenance(df))
    return index, index.read_text(encoding="utf-8")


def test_one_sortable_table_per_configuration_and_its_plots(site):
    index, html = site
    assert html.count('<table class="sortable">') == 2
    plots = re.findall(r'<img src="([^"]+)"', html)
    # the "other" task has no cost metrics, so no cost plot
    assert plots == ["table-1-tradeoff.png", "table-2-tradeoff.png", "table-2-cost.png"]
    for name in plots:
        assert (index.parent / name).read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in index.parent.iterdir()) == sorted(plots + ["index.html"])


def test_every_user_string_is_escaped(site, hostile):
    _, html = site
    assert hostile not in html and "<b>" not in html
    assert "x&lt;b&gt;y&lt;/b&gt;|$_&amp;%" in html


def test_self_contained_with_provenance(site):
    _, html = site
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no CDN, no network
    assert "<script>" in html and "addEventListener" in html
    footer = html[html.index("<footer>"):]
    assert "unlearnbench: 0.1.0" in footer and "code commit: abc1234" in footer
    assert "CPU Other CPU, 8 torch threads" in footer and "generated: " in footer
    assert "960 ± 25 †" in html  # the row timed on other hardware is marked


def test_a_failed_write_leaves_the_old_site(showcase, tmp_path, monkeypatch):
    tables = build_tables(showcase)
    index = write_site(tables, tmp_path / "site")
    before = index.read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("leaderboard.site.render_html", broken)
    with pytest.raises(RuntimeError):
        write_site(tables, tmp_path / "site")
    assert index.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary left over
