"""The renderer on the real sample site, read where it lies (never copied into the repo).

Expectations are computed from each post's source at test time. The speed check prints
its measurement: `.venv/bin/python -m pytest -q -s tests/test_render_sample.py -k speed`.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import nh3
import pytest
import yaml
from conftest import SEED_POST
from markdown_it import MarkdownIt

from syndicate.render import RenderContext, Rendered, absolute_url, render_body

LANGUAGE_CODES = {"english": "en", "khmer": "km"}
LEFTOVERS = ("{%", "%}", "{{", "}}", "{:", "$DATELINE$")
INCLUDE = re.compile(r"\{%-?\s*include\s+(\S+)(.*?)-?%\}", re.S)
PARAM = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
FIGURES = {"photo.html", "photo-large.html", "photo-half-column.html", "mugshot.html"}
VIDEOS = {"video.html", "video-large.html", "promo-video.html"}
TEXT_PARAMS = ("caption", "credit", "name", "cutline")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TAG = re.compile(r"<[^>]*>")
COMMENT = re.compile(r"<!--.*?-->", re.S)


class Sample:
    """One post: its front matter, body (with the line it starts on) and rendering."""

    def __init__(self, site: Path, source: str) -> None:
        text = (site / source).read_text(encoding="utf-8")
        head, self.body = re.fullmatch(r"(---\n.*?\n---\n)(.*)", text, re.S).groups()
        self.meta = yaml.safe_load(head.strip("-\n"))
        self.source = source
        self.language = source.split("/")[0]
        base = canonical_base(site)
        folders = "/".join([self.language, *str(self.meta.get("categories", "")).split()])
        slug = Path(source).stem[11:]
        self.context = RenderContext(
            base_url=base,
            page_url=f"{base}/{folders}/{slug}.html",
            source=source,
            language_code=LANGUAGE_CODES[self.language],
            dateline=self.meta.get("dateline"),
            body_line=head.count("\n") + 1,
        )
        self.rendered: Rendered = render_body(self.body, self.context)
        self.lines = text.splitlines()

    def includes(self) -> list[tuple[str, dict[str, str]]]:
        """The includes a reader could see: those not commented out."""
        body = COMMENT.sub("", self.body)
        return [(name, dict(PARAM.findall(params))) for name, params in INCLUDE.findall(body)]

    @property
    def text(self) -> str:
        """The output's text content: what a reader sees (attributes like alt excluded)."""
        return html.unescape(TAG.sub("", self.rendered.html))


def shown(name: str, params: dict[str, str]) -> bool:
    """Whether an include has a feed form: a figure with a file, a video with an id."""
    return bool(name in FIGURES and params.get("file") or name in VIDEOS and params.get("youtube"))


def canonical_base(site: Path) -> str:
    return yaml.safe_load((site / "_config.yml").read_text(encoding="utf-8"))["canonical_url_base"].rstrip("/")


def sources(site: Path, language: str = "*") -> list[str]:
    return sorted(str(path.relative_to(site)) for path in site.glob(f"{language}/_posts/*.md"))


@pytest.fixture(scope="module")
def samples(sample_site: Path) -> dict[str, Sample]:
    return {source: Sample(sample_site, source) for source in sources(sample_site)}


def test_every_post_renders_without_leftovers_or_unsafe_markup(samples: dict[str, Sample]) -> None:
    assert len(samples) > 100
    failures = []
    for source, sample in samples.items():
        out, text = sample.rendered.html, html.unescape(sample.rendered.html)
        summary = sample.rendered.summary
        failures += [f"{source}: {left} left" for left in LEFTOVERS if left in text or left in summary]
        if "<script" in out or re.search(r"<[^>]*\son\w+=", out) or "javascript:" in out:
            failures.append(f"{source}: unsafe markup")
        if XML_ILLEGAL.search(out + sample.rendered.summary):
            failures.append(f"{source}: XML-illegal character")
        for url in re.findall(r'(?:href|src)="([^"]*)"', html.unescape(out)):
            page, _, fragment = url.partition("#")
            if not url.startswith(("https://", "http://", "mailto:")):
                failures.append(f"{source}: relative URL {url}")
            elif page == sample.context.page_url and f'id="{fragment}"' not in out:
                failures.append(f"{source}: in-page link to no element: {url}")
        if not 0 < len(sample.rendered.summary) <= 280:
            failures.append(f"{source}: summary of {len(sample.rendered.summary)} characters")
    assert failures == []


def test_seed_post_starts_with_the_dateline_and_keeps_its_pullquote(samples: dict[str, Sample]) -> None:
    seed = samples[SEED_POST]
    lead = next(line for line in seed.body.splitlines() if "$DATELINE$" in line).replace("$DATELINE$", "").strip()
    dateline = seed.meta["dateline"].upper()
    first = f'<p><span class="dateline">{dateline} —</span> {html.escape(lead, quote=False)}</p>'
    assert seed.rendered.html.startswith(first)

    lines = seed.body.splitlines()
    quote = lines[lines.index("{:.pullquote}") + 1].strip().replace("...", "…")  # kramdown typography
    assert f'<p class="pullquote">{quote}</p>' in seed.rendered.html

    # Every block of the source is one paragraph: IAL lines join the block they apply to.
    blocks = [block for block in re.split(r"\n[ \t]*\n", seed.body.strip()) if block.strip()]
    assert seed.rendered.html.count("<p") == len(blocks)
    assert seed.rendered.summary.startswith(lead[:100]) and dateline not in seed.rendered.summary
    assert seed.rendered.problems == ()


def test_figures_have_absolute_urls(samples: dict[str, Sample], sample_site: Path) -> None:
    base = canonical_base(sample_site)
    checked = 0
    for sample in samples.values():
        shown = [(name, params) for name, params in sample.includes() if name in FIGURES and params.get("file")]
        assert sample.rendered.html.count("<figure") >= len(shown), sample.source
        for _name, params in shown:
            file = params["file"].strip()
            expected = file if file.startswith("http") else base + "/" + file.lstrip("/")
            assert f'<img src="{html.escape(expected)}"' in sample.rendered.html, (sample.source, file)
            for key in TEXT_PARAMS:
                if params.get(key) and "<" not in params[key]:
                    assert " ".join(params[key].split()) in sample.text, (sample.source, key)
            checked += 1
    assert checked > 100


def test_videos_become_linked_thumbnails(samples: dict[str, Sample]) -> None:
    found = 0
    for sample in samples.values():
        for name, params in sample.includes():
            if name in VIDEOS and params.get("youtube"):
                video = params["youtube"]
                link = f'<a href="https://www.youtube.com/watch?v={video}">'
                assert f'{link}<img src="https://i.ytimg.com/vi/{video}/hqdefault.jpg"' in sample.rendered.html
                found += 1
    assert found >= 3


def test_each_dropped_include_is_one_warning_naming_include_file_and_line(samples: dict[str, Sample]) -> None:
    for sample in samples.values():
        dropped = [name for name, params in sample.includes() if not shown(name, params)]
        problems = sample.rendered.problems
        assert [problem.severity for problem in problems] == ["warning"] * len(dropped), sample.source
        for name, problem in zip(dropped, problems, strict=True):
            assert problem.source == sample.source and name in problem.message
            assert "{%" in sample.lines[problem.line - 1], (sample.source, problem.line)


def test_zero_width_characters_survive_in_khmer_posts(samples: dict[str, Sample], sample_site: Path) -> None:
    khmer = [sample for source, sample in samples.items() if source.startswith("khmer/")]
    assert sum(sample.body.count("\u200b") for sample in khmer) > 10_000
    for sample in khmer:
        # What the reader sees holds every such character of the prose (outside Liquid),
        # of the captions shown and of the dateline, and no others.
        kept = INCLUDE.sub("", COMMENT.sub("", sample.body))
        for name, params in sample.includes():
            if shown(name, params):
                kept += "".join(params.get(key, "") for key in TEXT_PARAMS)
        if "$DATELINE$" in sample.body:
            kept += sample.meta.get("dateline") or ""
        for character in ZERO_WIDTH:
            assert sample.text.count(character) == kept.count(character), (sample.source, hex(ord(character)))
        # Lines of plain prose come out exactly, invisible characters in place.
        for line in INCLUDE.sub("\n", COMMENT.sub("", sample.body)).splitlines():
            line = line.replace("$DATELINE$", "").strip()
            if line and not re.search(r"[\[\]<>*_`#{}\\|\"'&]|--|\.\.\.|\(|^[-+>\d]", line):
                assert line in sample.text, (sample.source, line[:40])


def test_footnotes_factboxes_and_heading_anchors(samples: dict[str, Sample]) -> None:
    adrift = samples["english/_posts/2018-07-01-cambodia-adrift.md"]
    footnotes = re.findall(r"\{:\.annotation\.right#(footnote\d+)\}", adrift.body)
    assert footnotes
    for footnote in footnotes:  # the note carries the id its link points to
        assert f'<p class="annotation right" id="{footnote}">' in adrift.rendered.html
        assert f'href="{adrift.context.page_url}#{footnote}"' in adrift.rendered.html

    sihanouk = samples["english/_posts/2015-01-01-norodom-sihanouk.md"]
    factboxes = re.findall(r'<a href="#(\w+)" class="trigger__factbox">([^<]*)</a>', sihanouk.body)
    assert factboxes
    for target, label in factboxes:  # the factbox is not in the feed: link gone, text kept
        assert f"#{target}" not in sihanouk.rendered.html
        assert label in sihanouk.text

    data_map = samples["english/_posts/2018-06-29-data-map-cambodias-urban-rural-divide-defines-issues.md"]
    headings = re.findall(r"### \[([^\]]+)\]\(#([\w-]+)\)\{:\.scrollIntoView\}", data_map.body)
    assert headings
    for label, target in headings:  # kramdown's heading ids keep these links alive
        link = f'<a href="{data_map.context.page_url}#{target}" class="scrollIntoView">'
        heading = f'<h3 id="{target}">{link}{label}</a></h3>'
        assert heading in data_map.rendered.html
    assert '<h4 id="learnMore">' in data_map.rendered.html


def test_front_matter_images_resolve(sample_site: Path) -> None:
    base = canonical_base(sample_site)
    for source in sources(sample_site):
        head = (sample_site / source).read_text(encoding="utf-8").split("\n---", 1)[0]
        meta = yaml.safe_load(head.strip("-\n"))
        for key in ("image", "mugshot", "thumbnail"):
            if meta.get(key):
                url = absolute_url(meta[key], base)
                assert url and re.fullmatch(r"https?://[^\s\"';]+[\w/]", url), (source, key, url)


def test_speed(samples: dict[str, Sample]) -> None:
    """Rendering costs little more than Markdown and sanitising alone.

    Best of interleaved rounds, so load from other processes hits both sides alike; the
    bound only catches gross regressions (say, a quadratic pass), not small drifts.
    """
    posts = [(sample.body, sample.context) for sample in samples.values()]
    floor = MarkdownIt("commonmark", {"html": True})
    candidates = {"render_body": render_body, "floor": lambda body, _: nh3.clean(floor.render(body))}
    best = dict.fromkeys(candidates, float("inf"))
    for _ in range(5):
        for name, render in candidates.items():
            start = time.process_time()
            for body, context in posts:
                render(body, context)
            best[name] = min(best[name], (time.process_time() - start) / len(posts) * 1000)
    print(f"\nrender_body {best['render_body']:.2f} ms/post; markdown-it + nh3 alone {best['floor']:.2f}")
    assert best["render_body"] < 3 * best["floor"]
