"""A seeded, deterministic synthetic Jekyll news site for benchmarking syndicate.

    python benchmarks/corpus.py --posts 10000 --out /tmp/site [--seed 7]
    python benchmarks/corpus.py --add-one /tmp/site [--seed 7]

The layout and front-matter style follow a real bilingual Jekyll site (one folder per
language, space-separated `categories`, `translation:` links between twins, kramdown
bodies with `$DATELINE$`, `{:.pullquote}` and multi-line `{% include %}` tags); every word
of text is made up here from small built-in vocabularies.

Speed: text comes from a pool of paragraphs built once per language, so a post costs a few
dozen random picks; posts are written by worker processes in fixed chunks, each post with
its own seeded generator, so the bytes do not depend on the number of workers.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

LANGUAGES = ("english", "khmer")
CANONICAL_URL_BASE = "https://news.example.org/mekong-ledger"
IMAGE_BASE = "https://img.example.org/media/"
LINK_BASE = "https://wire.example.net/a/"
END_DATE = date(2024, 6, 30)  # fixed, never "today": output must not depend on the clock
MEAN_BODY_BYTES = 13_000
TRANSLATED_SHARE = 0.85  # stories whose two posts link to each other
# Sentences that carry a link. The sample site has about one Markdown link per 9 KB of post
# (0.11 per KB); these shares give the same density here. Links are what markdown-it spends
# most on, so a denser corpus would measure a renderer for another kind of site.
LINK_SHARE = {"english": 0.012, "khmer": 0.035}
CHUNK = 500  # posts per worker task

# About 25 categories; listed from most to least used (weights fall off as 1/rank).
CATEGORIES = (
    "national", "politics", "economy", "feature", "video", "profile", "rights",
    "agriculture", "land", "environment", "voter", "politician", "media", "courts",
    "health", "education", "migration", "labor", "development", "history",
    "business", "opinion", "reference", "data-story", "photo-essay",
)
CATEGORY_WEIGHTS = tuple(1 / rank for rank in range(1, len(CATEGORIES) + 1))
CATEGORY_COUNTS = (1, 2, 3)
CATEGORY_COUNT_WEIGHTS = (5, 3, 2)

ENGLISH_WORDS = """
the a of to and in on for with from by at as that this their its new old more most
river village market road bridge farm field harvest rice water land family families
school teacher student clinic doctor nurse worker workers factory wage wages price prices
loan loans debt bank farmer farmers fisher boat season rain flood drought forest
province district commune capital city town border port highway railway canal
government ministry minister official officials council party parties leader leaders
election vote voters ballot campaign candidate parliament assembly court judge law
rights group groups activist journalist newspaper radio report reports survey data
people residents neighbors children women men elders monks youth community communities
said says told asked explained added warned hoped believed remembered described
build built open opened close closed grow grew sell sold buy bought pay paid move moved
plan plans project projects budget tax taxes trade export exports import imports
small large many few every several some other early late long short recent local
national regional foreign public private rural urban quiet busy difficult simple
year years month months week day days morning evening night decade generation
because while although after before during since until whether about around
""".split()

# Khmer words written for this generator; joined with U+200B (zero-width space), the
# word-break hint Khmer editors insert, and phrases separated by ordinary spaces.
KHMER_WORDS = """
កម្ពុជា ប្រជាជន រដ្ឋាភិបាល ការបោះឆ្នោត គណបក្ស នយោបាយ សេដ្ឋកិច្ច ខេត្ត ភូមិ ឃុំ
កសិករ ស្រូវ ទឹក ដី ផ្ទះ ការងារ សាលារៀន កុមារ ស្ត្រី បុរស ឆ្នាំ ខែ ថ្ងៃ ថ្មី ចាស់
ធំ តូច និង នៅ ក្នុង ដែល បាន មាន ជា ពី ទៅ របស់ លោក អ្នក ពួកគេ យើង ខ្ញុំ ថា មិន
ច្រើន តិច ប្រាក់ ផ្សារ ផ្លូវ ស្ពាន ទន្លេ សមុទ្រ ព្រៃ ភ្នំ រាជធានី សិទ្ធិ មនុស្ស ច្បាប់
តុលាការ សភា ព័ត៌មាន សង្គម ការអភិវឌ្ឍ ការអប់រំ សុខភាព មន្ទីរពេទ្យ ជីវិត គ្រួសារ
ចំណាកស្រុក ពលករ រោងចក្រ កសិកម្ម ដំណាំ តម្លៃ ទិញ លក់ និយាយ ប្រាប់ ឃើញ ដឹង ចង់
ត្រូវ អាច ធ្វើ រស់នៅ ធ្វើដំណើរ សម្ភាស បញ្ហា អនាគត សន្តិភាព ប្រទេស ពិភពលោក
បំណុល ធនាគារ ប្រាក់ខែ គ្រូ សិស្ស ទីក្រុង ព្រំដែន មេដឹកនាំ អ្នកភូមិ សហគមន៍
""".split()
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
ZWSP = "\u200b"

PLACES = (
    ("Riverton", "ទីក្រុងទន្លេ"), ("Lakeside", "មាត់បឹង"), ("Hill Town", "ទីក្រុងភ្នំ"),
    ("Port Sen", "កំពង់ផែសែន"), ("Green Valley", "ជ្រលងបៃតង"), ("Old Market", "ផ្សារចាស់"),
)
PEOPLE = (
    ("Dara Vann", "Vann, Dara", "វណ្ណ ដារា"), ("Sophal Keo", "Keo, Sophal", "កែវ សុផល"),
    ("Maly Chan", "Chan, Maly", "ចាន់ ម៉ាលី"), ("Jo Whitfield", "Whitfield, Jo", "ចូ វីតហ្វីល"),
    ("Rith Sok", "Sok, Rith", "សុខ រិទ្ធ"), ("Anne Park", "Park, Anne", "អាន ផាក"),
)
LAYOUTS = ("post-centered", "post-main", "post-wide")
YOUTUBE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True)
class Post:
    """One post to write: everything decided by the site plan, before any text exists."""

    language: str
    slug: str
    day: date
    categories: tuple[str, ...]
    translation: str | None  # the twin's permalink path


@dataclass(frozen=True)
class Paragraph:
    text: str
    size: int  # UTF-8 bytes


# --- text -------------------------------------------------------------------------------


def english_sentence(rng: random.Random, words: int) -> str:
    picked = rng.choices(ENGLISH_WORDS, k=words)
    if rng.random() < LINK_SHARE["english"]:  # a link in a few sentences, as news copy has
        at = rng.randrange(words)
        picked[at] = f"[{picked[at]}]({LINK_BASE}{rng.randrange(10**6, 10**7)}.html)"
    if rng.random() < 0.3:
        picked.insert(rng.randrange(1, words), str(rng.randrange(2, 2000)))
    text = " ".join(picked)
    return text[0].upper() + text[1:] + rng.choice(".....?")


def khmer_sentence(rng: random.Random, words: int) -> str:
    phrases = []
    while words > 0:
        size = min(words, rng.randint(3, 8))
        phrases.append(ZWSP.join(rng.choices(KHMER_WORDS, k=size)))
        words -= size
    if rng.random() < 0.3:
        phrases.insert(rng.randrange(len(phrases) + 1), str(rng.randrange(2, 2000)).translate(KHMER_DIGITS))
    if rng.random() < LINK_SHARE["khmer"]:
        phrases.append(f"[{rng.choice(KHMER_WORDS)}]({LINK_BASE}{rng.randrange(10**6, 10**7)}.html)")
    return " ".join(phrases) + "។"


SENTENCE = {"english": english_sentence, "khmer": khmer_sentence}


def paragraph_pool(language: str, seed: int, size: int = 3000) -> tuple[Paragraph, ...]:
    """Paragraphs to draw bodies from; built once per process, same for the same seed."""
    rng = random.Random(f"{seed}/pool/{language}")
    sentence = SENTENCE[language]
    pool = []
    for _ in range(size):
        text = " ".join(sentence(rng, rng.randint(8, 24)) for _ in range(rng.randint(2, 6)))
        pool.append(Paragraph(text, len(text.encode())))
    return tuple(pool)


def short_text(rng: random.Random, language: str, words: int) -> str:
    """A title or summary line: plain words, no links or digits."""
    if language == "khmer":
        return ZWSP.join(rng.choices(KHMER_WORDS, k=words))
    text = " ".join(rng.choices(ENGLISH_WORDS, k=words))
    return text[0].upper() + text[1:]


def image_url(rng: random.Random) -> str:
    return f"{IMAGE_BASE}{rng.getrandbits(128):032X}_w1023_s.jpg"


def photo_include(rng: random.Random, language: str) -> str:
    """A multi-line Liquid include, in one of the two shapes editors write."""
    name = rng.choice(("photo.html", "photo-large.html"))
    caption = short_text(rng, language, rng.randint(8, 20))
    credit = f"({rng.choice(PEOPLE)[0]} | Ledger Staff)"
    if rng.random() < 0.5:
        return (
            f'{{% include {name} \n\nfile="{image_url(rng)}"\n'
            f'caption="{caption}"\ncredit="{credit}"\n\n%}}'
        )
    return (
        f'{{% include {name} \n \nfile="{image_url(rng)}"\n \n\tcaption="{caption}"\n \n'
        f'\tcredit="{credit}"\n \n\tadd_padding = true\n%}}'
    )


def pullquote(rng: random.Random, language: str) -> str:
    quote = SENTENCE[language](rng, rng.randint(10, 25))
    return f"{{:.pullquote}}\n“{quote}”"


def body(rng: random.Random, language: str, pool: tuple[Paragraph, ...]) -> str:
    """Kramdown body of about MEAN_BODY_BYTES on average, skewed like real posts."""
    target = min(80_000, max(600, int(rng.gammavariate(2.0, MEAN_BODY_BYTES / 2))))
    first = rng.choice(pool)
    blocks, size = [f"$DATELINE$ {first.text}"], first.size
    while size < target:
        roll = rng.random()
        if roll < 0.06:
            block = photo_include(rng, language)
        elif roll < 0.10:
            block = pullquote(rng, language)
        elif roll < 0.12:
            block = f"### {short_text(rng, language, rng.randint(2, 5))} ###"
        else:
            paragraph = rng.choice(pool)
            blocks.append(paragraph.text)
            size += paragraph.size
            continue
        blocks.append(block)
        size += len(block.encode())
    # Editors' files carry stray whitespace-only lines between paragraphs.
    separator = "\n \n" if rng.random() < 0.5 else "\n\n"
    return "\n\n" + separator.join(blocks) + "\n"


# --- posts ------------------------------------------------------------------------------


def permalink(language: str, categories: tuple[str, ...], slug: str) -> str:
    """The path Jekyll gives `permalink: /:categories/:title:output_ext`."""
    return "/" + "/".join((language, *categories, slug)) + ".html"


def front_matter(post: Post, rng: random.Random) -> str:
    place, person = rng.choice(PLACES), rng.choice(PEOPLE)
    khmer = post.language == "khmer"
    lines = [
        f"title: {short_text(rng, post.language, rng.randint(4, 10))}",
        f"summary: {short_text(rng, post.language, rng.randint(10, 24))}",
        f"byline: {person[2] if khmer else person[0]}",
        f"metrics-byline: {person[1]}",
        "",
        f"image: {image_url(rng)}",
        f"credit: {rng.choice(PEOPLE)[0]} | Ledger Staff",
    ]
    if "video" in post.categories:
        lines.append(f"youtube: {''.join(rng.choices(YOUTUBE_ALPHABET, k=11))}")
    lines += ["", f"dateline: {place[1] if khmer else place[0]}", ""]
    if post.translation:
        lines.append(f"translation: {post.translation}")
    lines += [
        "",
        f"date: {post.day.isoformat()}",
        f"categories: {' '.join(post.categories)}",
        f"layout: {'post-video' if 'video' in post.categories else rng.choice(LAYOUTS)}",
        f"language: {post.language}",
    ]
    return "---\n" + "\n".join(lines) + "\n---\n"


def post_text(post: Post, rng: random.Random, pool: tuple[Paragraph, ...]) -> str:
    return front_matter(post, rng) + body(rng, post.language, pool)


def post_path(site: Path, post: Post) -> Path:
    return site / post.language / "_posts" / f"{post.day.isoformat()}-{post.slug}.md"


# --- the site plan ----------------------------------------------------------------------


def pick_categories(rng: random.Random) -> tuple[str, ...]:
    count = rng.choices(CATEGORY_COUNTS, CATEGORY_COUNT_WEIGHTS)[0]
    picked: list[str] = []
    while len(picked) < count:
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        if category not in picked:
            picked.append(category)
    return tuple(picked)


def unique_slug(rng: random.Random, taken: set[str]) -> str:
    slug = "-".join(rng.choices(ENGLISH_WORDS, k=rng.randint(3, 6)))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate


def plan_site(posts: int, seed: int) -> list[Post]:
    """Stories of two twin posts, English and Khmer, spread over several years.

    About ten posts a day, at least three years: dates cluster on days as news does.
    """
    rng = random.Random(f"{seed}/plan")
    span = max(3 * 365, posts // 10)
    taken: set[str] = set()
    planned: list[Post] = []
    for _story in range((posts + 1) // 2):
        slug, categories = unique_slug(rng, taken), pick_categories(rng)
        day = END_DATE - timedelta(days=rng.randrange(span))
        twin_day = day + timedelta(days=rng.choice((0, 0, 0, 1)))  # translations lag a little
        linked = rng.random() < TRANSLATED_SHARE
        days = {"english": day, "khmer": twin_day}
        for language, other in (("english", "khmer"), ("khmer", "english")):
            if len(planned) == posts:
                break
            link = permalink(other, categories, slug) if linked else None
            planned.append(Post(language, slug, days[language], categories, link))
    return planned


# --- writing ----------------------------------------------------------------------------

_pools: dict[str, tuple[Paragraph, ...]] = {}


def pool_for(language: str, seed: int) -> tuple[Paragraph, ...]:
    """This process's paragraph pool, built on first use."""
    key = f"{seed}/{language}"
    if key not in _pools:
        _pools[key] = paragraph_pool(language, seed)
    return _pools[key]


def write_post(site: Path, post: Post, rng: random.Random, seed: int) -> Path:
    path = post_path(site, post)
    text = post_text(post, rng, pool_for(post.language, seed))
    save_atomically(path, text)
    return path


def save_atomically(path: Path, text: str) -> None:
    """Write as editors save: a hidden file renamed over the post, so a watcher never sees half of it."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8", newline="\n")
    temp.replace(path)


def write_chunk(site: Path, seed: int, first: int, posts: list[Post]) -> int:
    """Write posts[i] as post number first + i, each from its own generator."""
    for number, post in enumerate(posts, start=first):
        write_post(site, post, random.Random(f"{seed}/post/{number}"), seed)
    return len(posts)


def write_config(site: Path, seed: int) -> None:
    rng = random.Random(f"{seed}/config")
    text = f"""\
# Synthetic benchmark site written by benchmarks/corpus.py (seed {seed}).
title: The Mekong Ledger
description: >-
  {short_text(rng, "english", 30)}.
markdown: kramdown
url_base: "{CANONICAL_URL_BASE}"
canonical_url_base: "{CANONICAL_URL_BASE}"
permalink: /:categories/:title:output_ext
banner: {image_url(rng)}
credit_default: (Ledger Staff)

site_info__object:
  english:
    title: The Mekong Ledger | Weekly
    title_short: The Mekong Ledger
    description_short: {short_text(rng, "english", 18)}.
    analytics:
      language: English
      abbreviation: en
      direction: ltr
  khmer:
    title: ព័ត៌មានមេគង្គ | ប្រចាំសប្តាហ៍
    title_short: ព័ត៌មានមេគង្គ
    description_short: {short_text(rng, "khmer", 14)}។
    analytics:
      language: Khmer
      abbreviation: km
      direction: ltr
"""
    (site / "_config.yml").write_text(text, encoding="utf-8", newline="\n")


def generate(site: Path, posts: int, seed: int = 1, jobs: int | None = None) -> int:
    """Write the whole site; returns the number of posts written."""
    for language in LANGUAGES:
        (site / language / "_posts").mkdir(parents=True, exist_ok=True)
    write_config(site, seed)
    planned = plan_site(posts, seed)
    firsts = range(0, len(planned), CHUNK)
    chunks = [planned[first : first + CHUNK] for first in firsts]
    task = partial(write_chunk, site, seed)
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(chunks) == 1:
        return sum(map(task, firsts, chunks))
    with ProcessPoolExecutor(jobs) as pool:
        return sum(pool.map(task, firsts, chunks))


# --- one more post ----------------------------------------------------------------------


def newest_day(site: Path) -> date:
    """The latest date in any post's file name (YYYY-MM-DD-slug.md)."""
    names = (entry.name for language in LANGUAGES for entry in os.scandir(site / language / "_posts"))
    return date.fromisoformat(max(name[:10] for name in names if name.endswith(".md")))


def add_post(site_dir: str | os.PathLike, seed: int = 1) -> Path:
    """Write one new, untranslated post dated the day after the newest; returns its path.

    Its date is strictly newest-of-all, so it goes to the top of every feed it belongs to.
    """
    site = Path(site_dir)
    rng = random.Random(f"{seed}/add-one")
    language = rng.choice(LANGUAGES)
    taken = {name[11:-3] for name in os.listdir(site / language / "_posts")}
    post = Post(
        language=language,
        slug=unique_slug(rng, taken),
        day=newest_day(site) + timedelta(days=1),
        categories=pick_categories(rng),
        translation=None,
    )
    return write_post(site, post, rng, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--posts", type=int, help="number of posts to generate (half English, half Khmer)")
    action.add_argument("--add-one", metavar="DIR", help="add one newest post to the site in DIR")
    parser.add_argument("--out", help="site folder to write (with --posts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    args = parser.parse_args(argv)
    if args.add_one:
        print(add_post(args.add_one, args.seed))
        return 0
    if not args.out:
        parser.error("--posts needs --out")
    written = generate(Path(args.out), args.posts, args.seed, args.jobs)
    print(f"{written} posts in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
