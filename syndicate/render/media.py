"""Feed-safe HTML for the site's media includes and for pasted YouTube embeds.

Feed readers and mail clients run no scripts and most drop iframes, so every video
becomes its YouTube thumbnail linking to the watch page.
"""

from __future__ import annotations

import html
import re

from syndicate.model import Media
from syndicate.render.urls import absolute_url

PHOTOS = frozenset({"photo.html", "photo-large.html", "photo-half-column.html"})
VIDEOS = frozenset({"video.html", "video-large.html", "promo-video.html"})
MUGSHOT = "mugshot.html"

_YOUTUBE_ID = re.compile(r"(?:^|v=|youtu\.be/|/embed/)([A-Za-z0-9_-]{11})(?![A-Za-z0-9_-])")
_IFRAME = re.compile(
    r"<iframe\b[^>]*?\ssrc\s*=\s*[\"']?(?:https?:)?//(?:www\.)?youtube(?:-nocookie)?\.com/embed/"
    r"([A-Za-z0-9_-]{11})[^>]*>.*?</iframe\s*>",
    re.I | re.S,
)
_TAG = re.compile(r"<[^>]*>")


def photo(params: dict[str, str], base_url: str) -> tuple[str, Media] | None:
    src = absolute_url(params.get("file"), base_url)
    if src is None:
        return None
    caption, credit = params.get("caption", ""), params.get("credit", "")
    alt = params.get("alt") or _text(caption)
    return _figure("photo", _img(src, alt), caption, credit), _media(src, caption, credit)


def mugshot(params: dict[str, str], base_url: str) -> tuple[str, Media] | None:
    src = absolute_url(params.get("file"), base_url)
    if src is None:
        return None
    name, cutline = params.get("name", ""), params.get("cutline", "")
    caption = f"<strong>{name}</strong> {cutline}" if name else cutline
    return _figure("mugshot", _img(src, _text(name)), caption, ""), _media(src, caption, "")


def video(params: dict[str, str]) -> tuple[str, Media] | None:
    match = _YOUTUBE_ID.search(params.get("youtube", ""))
    if match is None:
        return None
    return youtube_card(match.group(1), params.get("caption", ""), params.get("credit", ""))


def youtube_card(video_id: str, caption: str = "", credit: str = "") -> tuple[str, Media]:
    thumbnail = f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"
    watch = f"https://www.youtube.com/watch?v={video_id}"
    image = _img(thumbnail, _text(caption) or "Video")
    media = Media(
        url=thumbnail,
        mime_type="image/jpeg",
        caption=_text(caption) or None,
        credit=_text(credit) or None,
        thumbnail=thumbnail,
        link=watch,
    )
    return _figure("video", f'<a href="{watch}">{image}</a>', caption, credit), media


def embed_iframes(text: str) -> tuple[str, list[Media]]:
    """YouTube `<iframe>` embeds replaced by linked thumbnails (the sanitiser drops iframes)."""
    found: list[Media] = []

    def card(match: re.Match[str]) -> str:
        markup, media = youtube_card(match.group(1))
        found.append(media)
        return markup

    return _IFRAME.sub(card, text), found


def _figure(kind: str, body: str, caption: str, credit: str) -> str:
    # Captions and credits are HTML fragments, as Jekyll pastes them; the sanitiser follows.
    parts = [caption.strip(), f'<span class="credit">{credit.strip()}</span>' if credit.strip() else ""]
    text = " ".join(part for part in parts if part)
    figcaption = f"<figcaption>{text}</figcaption>" if text else ""
    return f'<figure class="{kind}">{body}{figcaption}</figure>'


def _img(src: str, alt: str) -> str:
    return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'


def _media(src: str, caption: str, credit: str) -> Media:
    return Media(url=src, caption=_text(caption) or None, credit=_text(credit) or None)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())
