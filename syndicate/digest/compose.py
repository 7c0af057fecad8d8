"""Which posts a digest carries, and the view its templates fill in. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from syndicate.config import Settings
from syndicate.digest.spec import DigestError, DigestSpec
from syndicate.digest.window import Window
from syndicate.i18n import Localizer
from syndicate.model import RenderedPost
from syndicate.render import absolute_url, summarize
from syndicate.select import Entry, slugify

IMAGE_WIDTH = 552  # the 600 px column less its 24 px padding on each side
# The picture's link is hidden from screen readers (the title links to the same page), so its alt
# text is only seen where images are blocked: a short description, not a whole caption.
IMAGE_ALT_LIMIT = 100
_FONT_FAMILY = re.compile(r"[\w ',-]+")  # goes into a <style> verbatim: no markup, no braces
_SUBJECTS = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)  # templates from config


@dataclass(frozen=True, slots=True)
class ImageView:
    src: str  # absolute
    alt: str
    width: int = IMAGE_WIDTH


@dataclass(frozen=True, slots=True)
class LinkView:
    url: str
    label: str
    lang: str  # the linked page's language code


@dataclass(frozen=True, slots=True)
class ItemView:
    id: str
    url: str
    title: str
    dateline: str  # place and localised date
    summary: str
    byline: str | None
    image: ImageView | None
    translation: LinkView | None


@dataclass(frozen=True, slots=True)
class DigestView:
    lang: str
    direction: str
    site_name: str
    site_url: str
    heading: str
    period_label: str
    subject: str
    preheader: str
    archive_url: str
    unsubscribe: str  # the ESP merge tag or URL, as configured
    items: tuple[ItemView, ...]
    shown_in_full: int  # the first this many items are shown in full, the rest as a linked list
    labels: dict[str, str] = field(default_factory=dict)
    postal_address: str = ""
    preferences_url: str = ""
    outlook_font: str = "Arial, sans-serif"
    listed_at_most: int | None = None  # None: every item not shown in full is listed by title
    unlisted_label: str = ""  # "12 more stories on …": how the posts beyond the list are named

    @property
    def full(self) -> tuple[ItemView, ...]:
        return self.items[: self.shown_in_full]

    @property
    def listed(self) -> tuple[ItemView, ...]:
        rest = self.items[self.shown_in_full:]
        return rest if self.listed_at_most is None else rest[: self.listed_at_most]

    @property
    def unlisted(self) -> int:
        """How many posts the digest carries but neither shows nor lists (a link stands for them)."""
        return len(self.items) - self.shown_in_full - len(self.listed)


def candidates(published: list[Entry], window: Window, spec: DigestSpec, history_start: datetime | None) -> list[Entry]:
    """Posts that may be due for the list, newest first: the window's own, and late ones.

    A late post is dated before the window but after both `late_grace` before it and the
    start of the list's first digest (`history_start`; None: the list has none, so no post can
    be late). The caller drops those some digest of the list already carries.
    """
    folded = {c.casefold() for c in spec.categories}
    earliest = window.start.timestamp()
    if history_start is not None:
        earliest = min(earliest, max((window.start - spec.late_grace).timestamp(), history_start.timestamp()))
    end = window.end.timestamp()
    return [e for e in published
            if e.language == spec.language and earliest <= e.timestamp < end
            and (not folded or folded.intersection(c.casefold() for c in e.categories))]


def build_view(posts: list[RenderedPost], *, settings: Settings, spec: DigestSpec, window: Window,
               tz: ZoneInfo, loc: Localizer, archive_url: str) -> DigestView:
    """The digest of `posts` (newest first), every item shown in full up to `spec.max_items`."""
    language = settings.language(spec.language)
    period_label = _period_label(window, spec, tz, loc)
    count = len(posts)
    items = tuple(_item(r, settings, tz, loc) for r in posts)
    template = spec.subject_template or (
        loc.headline_subject_template if spec.subject_headline and items else loc.subject_template)
    subject = _subject(template, site=language.title, date=period_label, count=loc.number(count),
                       headline=items[0].title if items else "")
    stories = loc.label("stories", count=count)
    titles = " · ".join(i.title for i in items[:3])
    return DigestView(
        lang=language.code, direction=language.direction, site_name=language.title,
        site_url=f"{settings.base_url}/{language_folder(spec.language)}/",
        heading=loc.label(f"heading_{spec.period if isinstance(spec.period, str) else 'custom'}"),
        period_label=period_label,
        subject=" ".join(subject.split()),  # one line: a header cannot hold a newline
        preheader=summarize(loc.label("preheader", stories=stories, titles=titles) if items else loc.label("empty"),
                            language.code, 140),
        archive_url=archive_url, unsubscribe=spec.unsubscribe,
        items=items, shown_in_full=min(count, spec.max_items),
        labels={key: loc.label(key, site=language.title) for key in
                ("read_more", "more", "empty", "footer", "view_in_browser", "unsubscribe", "preferences")}
        | {"stories": stories},
        postal_address=" ".join(spec.postal_address.split()), preferences_url=spec.preferences_url,
        outlook_font=loc.outlook_font if _FONT_FAMILY.fullmatch(loc.outlook_font) else "Arial, sans-serif",
    )


def with_list_cut(view: DigestView, listed: int, loc: Localizer) -> DigestView:
    """`view` listing only the first `listed` titles after those in full, and a line saying how
    many more there are, linking to the language's home page."""
    rest = len(view.items) - view.shown_in_full - listed
    return replace(view, listed_at_most=listed,
                   unlisted_label=loc.label("unlisted", count=rest, site=view.site_name) if rest > 0 else "")


def _subject(template: str, **values: str) -> str:
    try:
        return _SUBJECTS.from_string(template).render(**values)
    except TemplateError as exc:  # a bad template in config stops the run, naming it
        raise DigestError(f"subject template {template!r}: {exc}") from exc


def _item(r: RenderedPost, settings: Settings, tz: ZoneInfo, loc: Localizer) -> ItemView:
    post = r.post
    place_and_date = [post.dateline] if post.dateline else []
    place_and_date.append(loc.date(post.date.astimezone(tz)))
    image = None
    media = r.media[0] if r.media else None
    src = absolute_url(media.thumbnail or media.url, settings.base_url) if media else None
    if media and src:
        alt = summarize(media.caption or post.title, r.language_code, IMAGE_ALT_LIMIT)
        image = ImageView(src, alt)
    translation = None
    if post.translation:
        name = loc.language_name(post.translation.code)
        translation = LinkView(post.translation.url, loc.label("translation", language=name), post.translation.code)
    return ItemView(
        id=post.id, url=post.url, title=post.title, dateline=" · ".join(place_and_date),
        summary=" ".join(post.summary.split()) if post.summary else r.summary,  # the editor's first, as in feeds
        byline=loc.label("byline", authors=loc.names(post.authors)) if post.authors else None,
        image=image, translation=translation,
    )


def _period_label(window: Window, spec: DigestSpec, tz: ZoneInfo, loc: Localizer) -> str:
    """The edition day(s) the digest stands for: a window ending at the cut-off on July 28 is the
    July 28 edition; a longer one runs from the day after its start to the day it ends."""
    start, end = window.start.astimezone(tz), window.end.astimezone(tz)
    if isinstance(spec.period, int) and spec.period % 86400:
        return loc.span_times(start, end)
    return loc.span(start.date() + timedelta(days=1), end.date())


def language_folder(language: str) -> str:
    """The language's folder name, as the feeds and the site use it."""
    return slugify(language) or "language"
