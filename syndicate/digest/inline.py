"""CSS inlining for email: premailer, configured so that it changes styles and nothing else.

- every rule outside @media becomes inline `style`; the @media rules stay in one <style> in
  <head> (premailer's "leftover" CSS), and classes stay so they can still match;
- no network or file access (`allow_network` off, the stylesheet is passed as text);
- no URL rewriting (no `base_url`): our links are absolute already, and ESP merge tags in
  hrefs are swapped for inert placeholders around the inliner, because lxml would otherwise
  percent-encode some of them (a space in `{{ unsubscribe_url }}`);
- width, height and align attributes are the template's (the image's `width` for Outlook, the
  centred column), not derived from CSS: premailer would turn `text-align: left` into
  `align="left"`, which floats a table to the left (and a floated image into `align`);
- no validation of the stylesheet against cssutils' CSS grammar: it only logs (vendor
  properties such as `mso-hide` are meant), and compiling the grammar's regexes cost a digest
  process a seventh of a second;
- lxml writes UTF-8, so Khmer text and its zero-width spaces pass through as they are.
"""

from __future__ import annotations

import logging
from html import escape

_PLACEHOLDER = "https://merge-tag.invalid/{}"


def inline_css(html: str, css: str, merge_tags: tuple[str, ...] = ()) -> str:
    """`html` with `css` inlined; the `merge_tags` used as hrefs come back byte for byte."""
    # As the template wrote them: HTML-escaped (an https URL may carry "&", written "&amp;").
    swaps = [(f'href="{escape(tag)}"', f'href="{_PLACEHOLDER.format(i)}"') for i, tag in enumerate(merge_tags)]
    for original, placeholder in swaps:
        html = html.replace(original, placeholder)
    # premailer (with cssutils and requests) is half of the digest command's imports: loaded only
    # when a digest is written, not for a window with nothing to send.
    from premailer import Premailer

    inliner = Premailer(
        css_text=css, allow_network=False, allow_loading_external_files=False,
        disable_link_rewrites=True, remove_classes=False, keep_style_tags=False,
        strip_important=False, disable_basic_attributes=["width", "height", "align"], align_floating_images=False,
        disable_validation=True, cssutils_logging_level=logging.CRITICAL,
    )
    out = inliner.transform(html, pretty_print=False)
    for original, placeholder in swaps:
        out = out.replace(placeholder, original)
    return out.rstrip("\n") + "\n"  # a text file ends with a newline, as the .eml's part does

