"""Property: whatever the body, render_body returns safe, XML-clean HTML and never raises."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.render import RenderContext, render_body, summarize

BASE = "https://projects.example.org/election-2018"
PAGE = f"{BASE}/english/x/y.html"

FRAGMENTS = [
    "]]>",
    "<![CDATA[",
    "\n\n",
    "\n",
    "\t",
    "    ",
    "$DATELINE$ ",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">j</a>',
    '<a href=" jAvAsCrIpT:alert(1)">j</a>',
    "[x](javascript:alert(1))",
    '<img src="data:image/png;base64,AAAA">',
    '<a href="data:text/html,hi">d</a>',
    '<iframe src="https://www.youtube.com/embed/Z0aB1cD2eF3"></iframe>',
    '<iframe src="https://evil.example/">',
    "<style>p{}</style>",
    '<p style="x" onclick="y">',
    "<!--",
    "-->",
    "<div>",
    "</div>",
    "&#0;",
    "&#1;",
    "&#xFFFF;",
    "&#xD800;",
    "&nbsp;",
    "&amp;",
    "{% include photo.html file=\"/img/a.jpg\" caption=\"<b onmouseover=x>c</b>\" %}",
    "{% include video.html youtube=\"z0AbBN9LD9Q\" %}",
    "{% include window.html %}",
    "{%\n\tinclude mugshot.html\n\tfile=\"/m.jpg\"\n%}",
    "{% if x %}",
    "{% endif %}",
    "{% raw %}",
    "{% endraw %}",
    "{{ site.baseurl }}",
    "{{ page.title }}",
    "{{",
    "}}",
    "{%",
    "%}",
    "{:.pullquote}",
    "{:#id}",
    "{:",
    "[link](/a.html){:.x}",
    "[dead](#nowhere)",
    "*",
    "`",
    "> ",
    "* ",
    "# ",
    "\x00",
    "\x01",
    "\x0b",
    "\x7f",
    "\x85",
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
    "\u200b",
    "\u200c",
    "\u200d",
    "ក្ស",
    "👩\u200d👩\u200d👧",
]
TEXT = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(FRAGMENTS)), max_size=30).map("".join)

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EVENT_HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.I)
UNSAFE_URL = re.compile(r'<[^>]*\s(?:href|src|srcset)="(?!https?://|mailto:)', re.I)  # in a real tag


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.one_of(st.none(), st.text(max_size=10)))
def test_render_body_is_always_safe(body: str, dateline: str | None) -> None:
    rendered = render_body(body, RenderContext(BASE, PAGE, "english/_posts/y.md", dateline=dateline, summary_limit=60))
    out = rendered.html
    assert "<script" not in out.lower() and "<style" not in out.lower() and "<iframe" not in out.lower()
    assert not EVENT_HANDLER.search(out)
    assert not UNSAFE_URL.search(out)  # javascript: and data: may remain only as visible text
    assert not XML_ILLEGAL.search(out) and not XML_ILLEGAL.search(rendered.summary)
    assert "]]>" not in out
    assert not any(delimiter in out for delimiter in ("{%", "%}", "{{", "}}", "{:", "$DATELINE$"))
    assert len(rendered.summary) <= 60
    assert all(problem.severity == "warning" for problem in rendered.problems)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["en", "km", "th", "ja"]), st.integers(min_value=0, max_value=120))
def test_summarize_is_always_short_and_clean(text: str, language: str, limit: int) -> None:
    summary = summarize(text, language, limit)
    assert len(summary) <= limit
    assert not XML_ILLEGAL.search(summary)


_QUOTE_RULE_START = re.compile(r"""[^\\]?["']""")  # where kramdown's quote rules start looking


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab \\\n\"'.-<>", max_size=30), data=st.data())
def test_the_quote_scan_finds_where_the_quote_rules_start(text: str, data):
    from syndicate.render.typography import _quote_start

    pos = data.draw(st.integers(0, len(text)))
    endpos = data.draw(st.integers(pos, len(text)))
    expected = _QUOTE_RULE_START.search(text, pos, endpos)
    assert _quote_start(text, pos, endpos) == (expected.start() if expected else None)
