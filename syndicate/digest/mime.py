"""The digest as an RFC 5322 message: multipart/alternative, plain text then HTML, UTF-8.

Both parts are quoted-printable, the encoding ESPs commonly send and, for Khmer, the larger one
(about three bytes on the wire per byte of UTF-8, against four thirds for base64), so a size
budget measured with it holds however the message finally goes out. Nothing here reads the
clock or draws random numbers: the Date is the window's end and the MIME boundary a hash of
the content, so the same digest gives the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

# The legacy email API, on purpose: the modern one (3.11, 3.12) folds long non-ASCII headers
# with a space between two encoded words, where RFC 2047 decoders drop it, so a Khmer Subject
# would lose a space; email.header.Header keeps spaces inside the encoded words.
_POLICY = policy.compat32.clone(linesep="\r\n")  # CRLF line ends, as RFC 5322 wants them
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


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


def message_bytes(envelope: Envelope, text: str, html: str) -> bytes:
    # "=_" never occurs in quoted-printable text, so this boundary cannot clash with a part.
    boundary = "=_" + hashlib.sha256((text + html).encode()).hexdigest()[:40]
    msg = MIMEMultipart("alternative", boundary=boundary, policy=_POLICY)
    msg["From"] = _mailbox(envelope.from_name, envelope.from_address, "From")
    msg["To"] = envelope.to_address
    msg["Subject"] = Header(envelope.subject, "utf-8", header_name="Subject")
    msg["Date"] = format_datetime(envelope.date)
    msg["Message-ID"] = envelope.message_id
    msg["List-Id"] = _mailbox(envelope.list_name, envelope.list_id, "List-Id")
    msg["List-Unsubscribe"] = f"<{envelope.unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    msg["Content-Language"] = envelope.language
    msg.attach(_part(text, "plain"))
    msg.attach(_part(html, "html"))
    return msg.as_bytes()


def html_size_as_sent(html: str) -> int:
    """Bytes the HTML part's body takes on the wire, after quoted-printable encoding."""
    return len(_part(html, "html").get_payload().replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii"))


def _part(content: str, subtype: str) -> MIMEText:
    part = MIMEText(content, subtype, _UTF8_QP, policy=_POLICY)
    del part["MIME-Version"]  # said once, at the top
    return part


def _mailbox(name: str, address: str, header: str) -> str | Header:
    """`Name <address>`: quoted as RFC 5322 wants when ASCII, else RFC 2047 encoded words of at
    most 75 characters each (formataddr would write one word of any length)."""
    if name.isascii():
        return formataddr((name, address))
    value = Header(name, "utf-8", header_name=header)
    value.append(f"<{address}>", "us-ascii")
    return value
