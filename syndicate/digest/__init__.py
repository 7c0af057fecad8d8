"""Email digests: one message per list and period, summary-first, ready for an ESP as it is.

    window.py     which span of time a digest covers (pure)
    compose.py    which posts it carries and the view the templates fill (pure)
    i18n.py       labels, dates and digits in the digest's language (Babel, catalogues)
    templates.py  Jinja: HTML and plain text
    inline.py     the stylesheet inlined into the HTML (premailer)
    mime.py       the RFC 5322 message
    pipeline.py   produce(): ledger, site, files

The daemon calls `produce(settings, spec, out_dir=..., state_dir=..., now=...)`.
"""

from syndicate.digest.spec import DigestError, DigestResult, DigestSpec, period_name

__all__ = ["DigestError", "DigestResult", "DigestSpec", "HTML_BUDGET", "period_name", "produce"]


def __getattr__(name: str):
    # The pipeline (premailer, the ledger) loads only when a digest is made: the feed pages use
    # i18n.py for their dates, and a build must not pay for the rest.
    if name in ("HTML_BUDGET", "produce"):
        from syndicate.digest import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
