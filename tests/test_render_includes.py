"""A site's own `{% include %}` templates, rendered as Jekyll renders them and made fit for feeds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sitebuilder import CONFIG, make_site, post

from syndicate.collect.jekyll import read_document, scan
from syndicate.commands.problem_kinds import summary_lines
from syndicate.config import load_settings
from syndicate.model import Problem
from syndicate.pipeline.build import build
from syndicate.render import render_body, render_context
from syndicate.render.includes import lax_to_strict, render_liquid

ROOT = Path(__file__).resolve().parent.parent
NOW = "2030-01-01T00:00:00+00:00"

# A newsroom's includes that syndicate has never seen: parameters of every kind, include.*,
# site.*, page.*, assign/if/for/capture, a nested include, Jekyll filters, a <picture>, a pull
# quote, a caption, a script's mount point and a spacer the page's CSS fills.
INCLUDES = {
    "figure.html": """<div class="shell"><div class="inner">
	<picture>
		<source srcset="{{ include.src | replace: '.jpg', '-big.jpg' }}" media="(min-width: 900px)">
		<img src="{{ include.src }}" alt="{{ include.alt }}" style="width:100%">
	</picture>
	{% if include.quote %}<h3 class="story__pullquote">{{ include.quote }}</h3>{% endif %}
	{% if include.caption || include.credit %}<p class="story__cutline">{{ include.caption }} {{ include.credit | default: site.credit_default }}</p>{% endif %}
</div></div>
""",
    "facts.html": """{% assign n = include.items | split: "," %}{% capture head %}{{ include.title | upcase }}{% endcapture %}
<div class="box"><h4>{{ head }}</h4><ul>{% for item in n %}<li>{{ item | strip }}</li>{% endfor %}</ul>
<p>{{ site.labels[page.language].more }} <a href="{{ '/about.html' | relative_url }}">{{ page.title | slugify }}</a>
{% include sign.html who=include.by %}</p></div>""",
    "sign.html": "<span class=\"sig\">— {{ include.who | default: 'Staff' }} ({{ page.categories | jsonify }})</span>",
    "chart.html": "<div class=\"chart\"><div id=\"chartMount\"></div><script>draw()</script></div>",
    "window.html": "<div class=\"window\"><img src=\"{{ site.baseurl }}/img/spacer.png\"></div>",
    "broken.html": "<p>{% if %}never closed</p>",
    "notes.html": "{{ include.text | markdownify }}",
}
CONFIG_WITH = CONFIG + """baseurl: /news
credit_default: (Desk)
labels:
  english:
    more: Read more
"""
BODY = """$DATELINE$ First paragraph with "quotes" and an ellipsis...

{% include figure.html
	src="/img/river.jpg"
	alt="A river"
	quote="“The water came at night.”"
	caption="Flooded fields in May." %}

{% include facts.html title='key facts' items="one, two, three" by=page.author %}

{% include chart.html %}

{% include window.html %}

{% include notes.html text="Some *emphasis* here." %}

{% include broken.html %}

Last paragraph.
"""


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> tuple[dict, list[Problem]]:
    root = tmp_path_factory.mktemp("includes")
    site = make_site(root / "site", {
        "english/_posts/2024-05-01-flood.md": post("The Flood Returns", BODY, dateline="Kampot", author="Dara",
                                                   language="english", hero="/img/hero.jpg"),
    }, CONFIG_WITH)
    for name, text in INCLUDES.items():
        (site / "_includes").mkdir(exist_ok=True)
        (site / "_includes" / name).write_text(text, encoding="utf-8")
    (root / "render.toml").write_text('[render]\ndateline_joiner = " • "\nbackground_image = '
                                      '{ field = "hero", spacers = ["/img/spacer.png"] }\n')
    settings = load_settings(site, root / "render.toml")
    report = build(settings, root / "out", now=_now(), state_dir=root / "state")
    item = json.loads((root / "out" / "feed.json").read_text())["items"][0]
    return item, list(report.problems)


def _now():
    from datetime import datetime

    return datetime.fromisoformat(NOW)


def test_a_sites_own_includes_render_with_jekyll_semantics(feed) -> None:
    html = feed[0]["content_html"]
    # <picture> -> its widest source; quote -> blockquote; cutline -> figcaption of a figure.
    figure = html[html.index("<figure>"):html.index("</figure>")]
    assert '<img src="https://news.example.com/news/img/river-big.jpg" alt="A river">' in figure
    assert "<blockquote>“The water came at night.”</blockquote>" in figure
    # `caption || credit` means `caption` to Jekyll's lax Liquid; the credit defaults from site.*.
    assert "<figcaption>Flooded fields in May. (Desk)</figcaption>" in figure
    # assign/capture/for/filters, site.* indexed by page.*, relative_url, nested include with a variable.
    assert "<h4>KEY FACTS</h4>" in html and "<li>one</li><li>two</li><li>three</li>" in html
    assert 'Read more <a href="https://news.example.com/news/about.html">the-flood-returns</a>' in html
    assert '— Dara (["english"])' in html
    assert "Some <em>emphasis</em> here." in html


def test_feed_fit_rules_and_kramdown_typography(feed) -> None:
    html = feed[0]["content_html"]
    assert '<span class="dateline">KAMPOT •</span> First paragraph with “quotes” and an ellipsis…' in html
    assert '<img src="https://news.example.com/news/img/hero.jpg">' in html  # the spacer became the page's photo
    assert "spacer.png" not in html and "draw()" not in html and "chartMount" not in html
    assert "{%" not in html and "{{" not in html and "<script" not in html and "style=" not in html
    assert "<div" not in html and 'class="shell"' not in html
    assert html.rstrip().endswith("<p>Last paragraph.</p>")  # the failed include left the rest alone


def test_problems_name_the_post_line_include_and_reason(feed) -> None:
    problems = {p.message.split(":")[0]: p for p in feed[1] if p.source.endswith("flood.md")}
    chart = problems["include chart.html"]
    assert chart.line == 19 and "drawn by a script" in chart.message
    broken = problems["include broken.html failed, left out"]
    assert broken.line == 25 and "broken.html" in broken.message


def test_an_edited_include_is_read_again_in_a_long_running_process(tmp_path) -> None:
    site = make_site(tmp_path, {"_posts/2024-01-01-a.md": post("A", "{% include note.html %}")})
    (site / "_includes").mkdir()
    note = site / "_includes" / "note.html"
    seen = []
    for text in ("<p>First version.</p>", "<p>Second version.</p>"):
        note.write_text(text, encoding="utf-8")
        settings = load_settings(site)
        doc = read_document(scan(settings)[0], settings)
        seen.append(render_body(doc.body, render_context(settings, doc.header.post, doc.meta, doc.body_line)).html)
    assert "First version." in seen[0] and "Second version." in seen[1]


def test_lax_liquid_reads_conditions_as_jekyll_does() -> None:
    assert lax_to_strict("{% if a || b %}") == "{% if a %}"
    assert lax_to_strict("{% if a and b == 'x' or c %}") == "{% if a and b == 'x' or c %}"
    assert lax_to_strict('{{ x | default="M" | upcase }}') == "{{ x | default | upcase }}"
    assert lax_to_strict("{% if a ||\n b %}").count("\n") == 1  # line numbers survive


def test_one_line_per_kind_of_problem() -> None:
    problems = [Problem(f"p{n}.md", "include map.html: drawn by a script, no text for feeds, dropped",
                        severity="warning", line=n) for n in range(26)]
    problems += [Problem("a.md", "points to no post: '/x.html'", field="translation", severity="warning"),
                 Problem("b.md", "points to no post: '/y.html'", field="translation", severity="warning"),
                 Problem("c.md", "title is empty")]
    assert summary_lines(problems) == [
        "warning: include map.html: drawn by a script, no text for feeds, dropped in 26 files (--verbose lists each)",
        "warning: translation: points to no post in 2 files (--verbose lists each)",
        "error: c.md: title is empty",
    ]


def test_sample_site_feeds_carry_what_its_includes_show(sample_site, tmp_path) -> None:
    settings = replace(load_settings(sample_site, ROOT / "examples" / "sample-site.toml"), item_limit=1000)
    report = build(settings, tmp_path / "out", now=_now(), state_dir=tmp_path / "state")
    items = {item["url"].split("/cambodia-election-2018/")[-1]: item["content_html"]
             for item in json.loads((tmp_path / "out" / "feed.json").read_text())["items"]}
    voter = items["english/profile/voter/voter-prem-buth-farmer-inflation.html"]
    # window.html: the photo its CSS draws from `window_image`, and the pull quote over it.
    assert "rectangle__" not in voter and "img/portrait__voices__Prem-Buth-old--1920.jpg" in voter
    assert "<blockquote>“Democracy means having elections." in voter
    assert "<figcaption>Prem Buth repairs bikes" in voter
    # A video post's content carries its video (the layout shows it above the body): a linked
    # thumbnail and a link, for readers that show nothing but the content.
    video = items["english/video/video-multiethnic.html"]
    watch = "https://www.youtube.com/watch?v=wvTUr3g7YLc"
    assert video.startswith(f'<figure class="video"><a href="{watch}"><img src="https://i.ytimg.com/vi/wvTUr3g7YLc/')
    assert f'<figcaption><a href="{watch}">{watch}</a></figcaption>' in video
    assert all("{%" not in html and "{{" not in html and "<script" not in html for html in items.values())
    # promo-video.html loops over site.posts: the related videos Jekyll shows, newest first,
    # the featured one with its summary, the others as linked thumbnails, in both languages.
    cement = items["english/feature/cement-manufacturing-carves-up-rural-cambodia.html"]
    related = cement[cement.index("More videos | Development"):]
    assert related.index("<h4>Not Everyone Benefits from Development</h4>") \
        < related.index("<p>Uneducated, Chiem Sophal doesn’t qualify for a cement company job.")
    thumbnails = [related.index(f"https://img.youtube.com/vi/{video}/mqdefault.jpg")
                  for video in ("kvs6xsEFx30", "G1t7b6o-yI0", "e3JxFw03tco")]  # grocer, gardener, farmers
    assert thumbnails == sorted(thumbnails)
    khmer = items["khmer/feature/cement-manufacturing-carves-up-rural-cambodia.html"]
    assert "វីដេអូផ្សេងទៀត" in khmer and khmer.count("mqdefault.jpg") == 3
    kinds = summary_lines(report.problems)
    assert len(kinds) == len({line.split(" in ")[0] for line in kinds})


def test_build_prints_one_line_per_kind_of_problem(sample_site, tmp_path) -> None:
    built = subprocess.run([sys.executable, "-m", "syndicate", "build", str(sample_site), "--out", str(tmp_path / "out"),
                            "--state", str(tmp_path / "state")], capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in built.stderr.splitlines() if line.startswith(("error: ", "warning: "))]
    assert "warning: include map.html: drawn by a script, no text for feeds, dropped in 19 files" \
           " (--verbose lists each)" in lines
    assert len(lines) <= 4, lines  # map.html, map-trigger.html, mugshot URLs, translation links: 39 problems


@pytest.mark.slow
def test_every_post_is_as_jekyll_renders_it(sample_site) -> None:
    """benchmarks/fidelity.py: each body at least 0.995 similar to Jekyll's, but for what only
    JavaScript draws (docs/fidelity.md lists it)."""
    if shutil.which("jekyll") is None:
        reason = "jekyll is not installed (Debian: apt-get install -y jekyll)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fidelity

    rows = fidelity.run(sample_site, ROOT / "examples" / "sample-site.toml")
    assert len(rows) >= 100
    for row in rows:
        assert row.similarity >= fidelity.THRESHOLD, row
        assert len(row.extra) <= 2, row


def test_feed_fit_rules_on_fragments() -> None:
    from syndicate.render.feedfit import fit_for_feed

    picture = ('<div class="a"><picture><source srcset="/s.jpg" media="(min-width: 420px)">'
               '<source srcset="/l.jpg" media="(min-width: 992px)"><img src="/xs.jpg" alt="A"></picture>'
               '<p class="photo__cutline">Caption.</p></div>')
    assert fit_for_feed(picture, block=True) == \
        ('<figure><img src="/l.jpg" alt="A"><figcaption>Caption.</figcaption></figure>', None)
    # Several images (an ai2html graphic's renditions): their labels stay text, no figcaption.
    graphic = '<div><img src="/a.jpg"><div class="g-credits"><p>64</p></div><img src="/b.jpg"></div>'
    assert "figcaption" not in fit_for_feed(graphic, block=True)[0]
    # A spacer without the page's photo goes; so does an include that is a script's mount point.
    assert fit_for_feed('<div><img src="/img/spacer.png"></div>', block=True, spacers=("/img/spacer*",)) == \
        ("", "no text for feeds")
    assert fit_for_feed('<div><div id="map"></div><p>Label</p></div>', block=True)[1] == \
        "drawn by a script, no text for feeds"
    # An ai2html graphic: one artboard per range of widths; the widest screen's stays, once.
    artboards = ('<div class="g-box"><div id="g-s" class="g-artboard" data-min-width="300"><img src="/s.jpg">'
                 '<p>Votes</p></div><div id="g-l" class="g-artboard" data-min-width="600"><img src="/l.jpg">'
                 '<p>Votes</p></div><div id="g-m" class="g-artboard" data-min-width="450"><img src="/m.jpg">'
                 '<p>Votes</p></div></div>')
    assert fit_for_feed(artboards, block=True)[0] == '<img src="/l.jpg"><p>Votes</p>'
    # Inline, the spaces at either end are the sentence's.
    assert fit_for_feed('<span class="m"><img src="/m.jpg"> <span>Chief </span></span>', block=False)[0] == \
        '<img src="/m.jpg"> Chief '


RELATED = """<ul class="related">{% for item in site.posts %}{% if item.url != page.url %}<li><a href="{{ item.url }}">{{ item.title }}</a> {{ item.kicker }}</li>{% endif %}{% endfor %}</ul>"""


def _related_site(root: Path) -> Path:
    site = make_site(root / "site", {
        "_posts/2024-01-01-reads.md": post("Reads the list", "Intro.\n\n{% include related.html %}"),
        "_posts/2024-01-02-other.md": post("Other story", "{% include note.html %}", kicker="Fresh"),
        "_posts/2024-01-03-plain.md": post("Plain story", "Just text."),
        "_posts/2029-06-01-future.md": post("Not yet published", "Later."),
    })
    (site / "_includes").mkdir()
    (site / "_includes" / "related.html").write_text(RELATED, encoding="utf-8")
    (site / "_includes" / "note.html").write_text("<p>A note, no post list.</p>", encoding="utf-8")
    return site


def _bodies(out: Path) -> dict[str, str]:
    return {item["title"]: item["content_html"] for item in json.loads((out / "feed.json").read_text())["items"]}


def test_a_body_that_reads_site_posts_follows_the_other_posts(tmp_path) -> None:
    site = _related_site(tmp_path)
    settings = load_settings(site)
    out, state = tmp_path / "out", tmp_path / "state"
    report = build(settings, out, now=_now().replace(year=2025), state_dir=state)
    assert report.posts_rendered == 3
    listed = _bodies(out)["Reads the list"]
    # Jekyll's site.posts: newest first, front matter included, the future post left out.
    assert '<li><a href="https://news.example.com/plain.html">Plain story</a> </li>' \
           '<li><a href="https://news.example.com/other.html">Other story</a> Fresh</li>' in listed
    assert "Not yet published" not in listed
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    again = build(settings, out, now=_now().replace(year=2025), state_dir=state)
    assert again.files_written == () and again.posts_rendered == 0
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before

    # A new post and an edited one: the body that lists them is rendered again, and only it
    # (besides the new post itself); the body that never read the list stays cached.
    (site / "_posts" / "2024-01-04-added.md").write_text(post("Added story", "New."), encoding="utf-8")
    (site / "_posts" / "2024-01-02-other.md").write_text(post("Other story", "{% include note.html %}",
                                                              kicker="Edited"), encoding="utf-8")
    report = build(settings, out, now=_now().replace(year=2025), state_dir=state)
    assert report.posts_rendered == 3  # added, other (its own file changed) and reads
    listed = _bodies(out)["Reads the list"]
    assert listed.index("Added story") < listed.index("Plain story") and "Edited" in listed

    # A post coming due joins the list with no file changed.
    build(settings, out, now=_now(), state_dir=state)
    assert "Not yet published" in _bodies(out)["Reads the list"]


def test_the_daemons_site_follows_the_post_list_too(tmp_path) -> None:
    from syndicate.pipeline.build import build_site
    from syndicate.pipeline.site import Site

    site_dir = _related_site(tmp_path)
    settings = load_settings(site_dir)
    now = _now().replace(year=2025)
    with Site.open(settings, tmp_path / "state") as site:
        build_site(site, tmp_path / "out", now=now)
        added = site_dir / "_posts" / "2024-01-04-added.md"
        added.write_text(post("Added story", "New."), encoding="utf-8")
        site.refresh([str(added)])
        report = build_site(site, tmp_path / "out", now=now)
        assert report.posts_rendered == 2  # the new post, and the one body that lists every post
        assert "Added story" in _bodies(tmp_path / "out")["Reads the list"]
        site.refresh([])
        assert build_site(site, tmp_path / "out", now=now).files_written == ()


def test_where_exp_keeps_the_items_its_expression_holds_for(tmp_path) -> None:
    (tmp_path / "list.html").write_text(
        """{% assign chosen = include.items | where_exp: "item", "item.year >= page.since and item.tags contains 'flood'" %}"""
        """{% for item in chosen %}{{ item.name }};{% endfor %}{{ item.name }}|"""
        """{{ include.items | where_exp: "x", "x.name == 'a' or x.year > 2021" | map: "name" | join: "," }}""",
        encoding="utf-8")
    items = [{"name": "a", "year": 2019, "tags": ["flood"]}, {"name": "b", "year": 2021, "tags": ["flood", "rain"]},
             {"name": "c", "year": 2022, "tags": ["rain"]}, {"name": "d", "year": 2023, "tags": ["flood"]}]
    rendered = render_liquid("{% include list.html items=page.items %}", includes_dir=str(tmp_path), site={},
                             page={"items": items, "since": 2020}, source="post.md")
    assert rendered.problems == ()
    assert rendered.includes[0].html == "b;d;|a,c,d"  # the loop's name does not outlive the filter


def test_check_reads_a_body_that_lists_every_post(tmp_path) -> None:
    site = _related_site(tmp_path)
    reads = site / "_posts" / "2024-01-01-reads.md"
    reads.write_text(post("Reads the list", "Intro.\n\n{% include related.html %}\n\n{% include gone.html %}"),
                     encoding="utf-8")
    checked = subprocess.run([sys.executable, "-m", "syndicate", "check", str(site)], capture_output=True, text=True,
                             cwd=ROOT)
    assert "Traceback" not in checked.stderr
    assert "warning: _posts/2024-01-01-reads.md:9: include gone.html failed, left out" in checked.stdout
