"""The digest as an RFC 5322 message: multipart/alternative, plain text then HTML, UTF-8.

Each part goes in the smaller of quoted-printable and base64: English is smaller in
quoted-printable, Khmer in base64 (quoted-printable writes each of its three-byte characters
as nine bytes, base64 any byte as four thirds). The size budget counts those bytes.
Non-ASCII header text is written as RFC 2047 encoded words split between grapheme clusters,
never inside one (a Khmer subscript sign and the consonant after it stay in one word): decoders
that show each word on its own, or put a space between words, still show whole letters. In a
display name, ASCII words between spaces (the "|" of "Site | Section") stay plain text, so the
spaces around them are real ones, which every decoder keeps. Python's address parser (3.11)
puts a space between two adjacent encoded words, which RFC 2047 says to drop, so a run of
Khmer longer than one word (about 18 characters) shows one there; we keep to the 75-character
limit of a word rather than write longer ones.
Nothing here reads the clock or draws random numbers: the Date is the window's end and the
MIME boundary a hash of the content, so the same digest gives the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import base64mime, policy, quoprimime
from email.charset import BASE64, QP, Charset
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

import regex

# The legacy email API, on purpose: the modern one (3.11, 3.12) refolds long non-ASCII headers
# its own way; here the encoded words are made below and kept as they are.
_POLICY = policy.compat32.clone(linesep="\r\n")  # CRLF line ends, as RFC 5322 wants them
_CHARSETS = {}
for _encoding in (QP, BASE64):
    _CHARSETS[_encoding] = Charset("utf-8")
    _CHARSETS[_encoding].body_encoding = _encoding
# An encoded word may be 75 characters; 64 keeps "List-Unsubscribe: " or "Subject: " plus the
# first word within the 78 a line should not pass.
_WORD_LENGTH = 64
_GRAPHEME = regex.compile(r"\X")
_PLAIN_WORD = regex.compile(r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]+")  # RFC 5322 atext, less "=" and "?"


@dataclass(frozen=True, slots=True)
class Envelope:
    subject: str
    from_name: str
    from_address: str
    to_address: str  # the list's address
    date: datetime  # aware: the window's end
    message_id: str  # with angle brackets
    list_name: str  # the list's description in List-Id
    list_id: str  # RFC 2919: 'english-daily.example.org'
    unsubscribe: str  # the unsubscribe URL or ESP merge tag
    language: str  # the Content-Language code
    unsubscribe_mailto: str = ""  # a mailto: URL offered beside it


def message_bytes(envelope: Envelope, text: str, html: str) -> bytes:
    # "=_" never occurs in quoted-printable or base64 text, so this boundary cannot clash with a part.
    boundary = "=_" + hashlib.sha256((text + html).encode()).hexdigest()[:40]
    msg = MIMEMultipart("alternative", boundary=boundary, policy=_POLICY)
    msg["From"] = _mailbox(envelope.from_name, envelope.from_address)
    msg["To"] = envelope.to_address
    msg["Subject"] = encoded_words(envelope.subject)
    msg["Date"] = format_datetime(envelope.date)
    msg["Message-ID"] = envelope.message_id
    msg["List-Id"] = _mailbox(envelope.list_name, envelope.list_id)
    msg["List-Unsubscribe"] = ", ".join(f"<{url}>" for url in (envelope.unsubscribe, envelope.unsubscribe_mailto) if url)
    if envelope.unsubscribe.startswith("https://"):  # RFC 8058: one-click needs an https URI to POST to
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Content-Language"] = envelope.language
    msg.attach(_part(text, "plain"))
    msg.attach(_part(html, "html"))
    return msg.as_bytes()


def html_size_as_sent(html: str) -> int:
    """Bytes the HTML part's body takes on the wire, in the encoding it is sent in."""
    return len(_body(_part(html, "html")))


def _part(content: str, subtype: str) -> MIMEText:
    """The part in whichever transfer encoding makes it smaller (quoted-printable on a tie)."""
    parts = [MIMEText(content, subtype, _CHARSETS[encoding], policy=_POLICY) for encoding in (QP, BASE64)]
    part = min(parts, key=lambda p: len(_body(p)))
    del part["MIME-Version"]  # said once, at the top
    return part


def _body(part: MIMEText) -> bytes:
    return part.get_payload().replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")


def encoded_words(text: str) -> str:
    """`text` as it goes in a header: as it is when ASCII, else RFC 2047 encoded words (base64
    or Q, whichever is shorter) of whole grapheme clusters, one per folded line."""
    if text.isascii():
        return text
    words, chunk = [], ""
    for grapheme in _GRAPHEME.findall(text):
        if chunk and len(_word(chunk + grapheme)) > _WORD_LENGTH:
            words.append(_word(chunk))
            chunk = ""
        chunk += grapheme
    words.append(_word(chunk))
    return "\r\n ".join(words)


def _word(text: str) -> str:
    data = text.encode()
    return min(base64mime.header_encode(data, "utf-8"), quoprimime.header_encode(data, "utf-8"), key=len)


def _mailbox(name: str, address: str) -> str:
    """`Name <address>`: quoted as RFC 5322 wants when ASCII, else encoded words for the runs
    of words that need them and plain ASCII words between, one per folded line."""
    if name.isascii():
        return formataddr((name, address))
    parts: list[str] = []
    run: list[str] = []
    for word in name.split():
        if _PLAIN_WORD.fullmatch(word):
            if run:
                parts.append(encoded_words(" ".join(run)))
                run = []
            parts.append(word)
        else:
            run.append(word)
    if run:
        parts.append(encoded_words(" ".join(run)))
    return "\r\n ".join([*parts, f"<{address}>"])
