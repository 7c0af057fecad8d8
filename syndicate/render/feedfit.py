"""An include's HTML, made for the site's own page, made fit for a feed by general rules.

Pages lean on CSS and scripts that feed readers do not run; so, for each include's output:
- a `<picture>` becomes one `<img>`, its widest source;
- of sibling elements that each say for which screen widths they are (`data-min-width`, as
  ai2html's artboards do: the same graphic drawn for several widths, the page's CSS shows one),
  the one for the widest screen stays;
- a spacer image (the settings name it) becomes the photo the page's CSS draws behind it, from
  the front-matter field the settings name, or goes when the page has none;
- an element whose class says pull quote becomes a `<blockquote>`; one that says caption,
  cutline or credit becomes the `<figcaption>` of the `<figure>` the include then is, when it
  has one image;
- wrappers (`div`, `span`), classes, styles and ids go; elements left with no text or image go;
- an include that was only a script's mount point (an empty element with an id that a script
  fills) is dropped whole, as is one with nothing left; the caller reports it.
The sanitiser runs after this and has the last word.
"""

from __future__ import annotations

import fnmatch
import re

import lxml.html
from lxml import etree

_PULL_QUOTE = re.compile(r"pull-?quote|quotation|blockquote", re.I)
_CAPTION = re.compile(r"caption|cutline|credit", re.I)
_MIN_WIDTH = re.compile(r"min-width:\s*(\d+)")
_VOID = frozenset({"img", "br", "hr", "source", "input", "wbr", "meta", "link", "col", "area", "embed", "track"})
_UNWRAP = frozenset({"div", "span", "section", "article", "header", "footer", "aside", "main", "font", "center"})
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "form", "button", "svg"})
_KEEP_EMPTY = frozenset({"img", "br", "hr"})


def fit_for_feed(fragment: str, *, block: bool, background: str | None = None,
                 spacers: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """(feed-fit HTML, None) or ("", why it was dropped)."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    if _script_mount(root):
        return "", "drawn by a script, no text for feeds"
    for element in list(root.iter(*_DROP)):
        _remove(element)
    for element in root.iter(etree.Comment):
        _remove(element)
    for picture in list(root.iter("picture")):
        _one_image(picture)
    _one_rendition(root)
    for img in list(root.iter("img")):
        if spacers and _is_spacer(img.get("src", ""), spacers):
            if background:
                img.set("src", background)
            else:
                _remove(img)
    # A figure is one image and its caption; a graphic of several images keeps its text as text.
    captions = _retag(root, block and len(root.findall(".//img")) == 1)
    _strip_layout(root)
    if not _has_content(root):
        return "", "no text for feeds"
    if captions and root.find(".//img") is not None:
        root.tag = "figure"
        return _squeeze(lxml.html.tostring(root, encoding="unicode")).strip(), None
    inner = _squeeze((root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root))
    return (inner.strip() if block else inner), None  # inline, the spaces around it are the text's


def _script_mount(root: etree._Element) -> bool:
    """An empty, non-void element with an id: where a script draws a map or a chart."""
    for element in root.iter():
        if (isinstance(element.tag, str) and element.get("id") and element.tag not in _VOID
                and not len(element) and not (element.text or "").strip()):
            return True
    return False


def _one_image(picture: etree._Element) -> None:
    """The picture's widest source (by `min-width`), else its `<img>`, as a plain `<img>`."""
    img = picture.find(".//img")
    best, best_width = (img.get("src") if img is not None else None), -1
    for source in picture.iter("source"):
        width = int(m.group(1)) if (m := _MIN_WIDTH.search(source.get("media", ""))) else 0
        url = (source.get("srcset") or "").split(",")[0].strip().split(" ")[0]
        if url and width > best_width:
            best, best_width = url, width
    if not best:
        _remove(picture)
        return
    replacement = etree.Element("img", src=best)
    if img is not None and img.get("alt"):
        replacement.set("alt", img.get("alt"))
    replacement.tail = picture.tail
    picture.getparent().replace(picture, replacement)


def _one_rendition(root: etree._Element) -> None:
    """Of siblings drawn for different screen widths, the one for the widest."""
    for parent in list(root.iter()):
        renditions = [child for child in parent if isinstance(child.tag, str) and child.get("data-min-width") is not None]
        if len(renditions) > 1:
            widest = max(renditions, key=_min_width)  # the first of equals
            for child in renditions:
                if child is not widest:
                    _remove(child)


def _min_width(element: etree._Element) -> float:
    try:
        return float(element.get("data-min-width", "").strip().removesuffix("px"))
    except ValueError:
        return -1.0


def _is_spacer(src: str, patterns: tuple[str, ...]) -> bool:
    path = re.sub(r"^[a-z]+://[^/]+", "", src).split("?")[0]
    return any(fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, "*" + pattern) for pattern in patterns)


def _retag(root: etree._Element, figure: bool) -> bool:
    """Pull quotes to `<blockquote>`; with `figure`, the first caption to `<figcaption>` (True if
    there was one)."""
    caption = False
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element is root:
            continue
        classes = element.get("class", "")
        if _PULL_QUOTE.search(classes) and element.tag not in ("blockquote", "img"):
            element.tag = "blockquote"
            _drop_inline_decoration(element)
        elif figure and not caption and _CAPTION.search(classes) and element.tag in ("p", "div", "span"):
            if _has_content(element):
                element.tag = "figcaption"
                caption = True
    return caption


def _drop_inline_decoration(element: etree._Element) -> None:
    """Inside a pull quote, its attribution stays text (a styled span becomes plain)."""
    for child in element.iter("span"):
        child.attrib.pop("style", None)


def _strip_layout(root: etree._Element) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        for attribute in ("class", "style", "id"):
            element.attrib.pop(attribute, None)
    # Innermost first, so a wrapper emptied by its children's removal goes too.
    for element in reversed(list(root.iter())):
        if element is root or not isinstance(element.tag, str):
            continue
        if element.tag not in _KEEP_EMPTY and not _has_content(element):
            _remove(element)
        elif element.tag in _UNWRAP:
            element.drop_tag()


def _has_content(element: etree._Element) -> bool:
    return bool("".join(element.itertext()).strip()) or element.find(".//img") is not None or element.tag == "img"


def _remove(element: etree._Element) -> None:
    """Remove `element` but keep its tail text."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _squeeze(markup: str) -> str:
    """The page's indentation is layout too: runs of white space become one space or line."""
    return re.sub(r"[ \t]*\n\s*", "\n", re.sub(r"[ \t]+", " ", markup))
