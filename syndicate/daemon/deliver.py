"""Delivery of a finished digest: into `OUT/outbox/`, then (when configured) to the email service.

The ledger is the record of what was handed on. A digest is marked "pending" before the hand-off
and "sent" right after the SMTP server's 250 to the message (before QUIT), so a crash in between
leaves it pending and the next run sends the same file again: same bytes, same Message-ID, which
lets the service drop the duplicate. With no SMTP server configured, writing the outbox file is the hand-off.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Mapping
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path

from syndicate.daemon.channels import Smtp
from syndicate.digest.ledger import DigestRecord, Ledger
from syndicate.system.output import write_if_changed

log = logging.getLogger(__name__)
OUTBOX, SENT = "outbox", "sent"


class DeliveryError(Exception):
    """A digest could not be handed on; it stays unsent in the ledger and is tried again later."""


def outbox_name(record: DigestRecord) -> str:
    return f"{record.list_id}-{record.window_end:%Y%m%dT%H%M%SZ}.eml"


def deliver(record: DigestRecord, out_dir: Path, smtp: Smtp | None, ledger: Ledger, *,
            sender: str, recipient: str, environ: Mapping[str, str], stop: threading.Event) -> None:
    """Put one digest in the outbox and, with `smtp`, send it; raises DeliveryError on failure."""
    name = outbox_name(record)
    outbox, sent = out_dir / OUTBOX / name, out_dir / SENT / name
    try:
        data = record.paths["eml"].read_bytes()
    except (KeyError, OSError) as exc:
        raise DeliveryError(f"{_name(record)}: cannot read its .eml file: {exc}") from exc
    found = BytesHeaderParser().parsebytes(data).get("Message-ID", "").strip()
    if found != record.message_id:  # the file was since overwritten by another digest: never send that
        raise DeliveryError(f"{_name(record)}: {record.paths['eml']} carries Message-ID {found or 'none'}, "
                            f"not {record.message_id}")
    ledger.mark_pending(record.message_id)
    if not sent.exists():  # already accepted once, but not yet marked sent: resend without requeueing
        write_if_changed(outbox, data)
    if smtp is None:
        ledger.mark_sent(record.message_id)
        return
    send(data, smtp, sender=sender, recipient=recipient, environ=environ, stop=stop)
    # The ledger first, the moment send() returns, which is right after the server's 250 to the
    # message (before QUIT): the shorter this gap, the rarer a duplicate after a crash.
    ledger.mark_sent(record.message_id)
    if outbox.exists():
        sent.parent.mkdir(parents=True, exist_ok=True)
        os.replace(outbox, sent)


def send(message: bytes, smtp: Smtp, *, sender: str, recipient: str, environ: Mapping[str, str],
         stop: threading.Event) -> None:
    """Hand `message` to the SMTP server, retrying temporary failures with doubling waits.

    Returns once the server has accepted the message. Setting `stop` ends it within about a
    second whatever the server does (slow to connect, to answer, or silent): DeliveryError.
    """
    message = re.sub(rb"\r?\n", b"\r\n", message)  # SMTP wants CRLF; smtplib leaves bytes alone
    delay = smtp.backoff
    for attempt in range(1, smtp.attempts + 1):
        try:
            _send_until_stopped(message, smtp, parseaddr(sender)[1], parseaddr(recipient)[1], environ, stop)
            return
        except _Stopped as exc:
            raise DeliveryError(f"{smtp.host}:{smtp.port}: stopped during attempt {attempt}; the digest is "
                                "sent at the next start") from exc
        except (smtplib.SMTPException, OSError) as exc:
            reason = _describe(exc)
            if _permanent(exc):
                raise DeliveryError(f"{smtp.host}:{smtp.port} refused the message: {reason}") from exc
            if attempt == smtp.attempts:
                raise DeliveryError(f"{smtp.host}:{smtp.port}: gave up after {attempt} attempts: {reason}") from exc
            log.warning("%s:%d: attempt %d of %d failed (%s); trying again in %gs",
                        smtp.host, smtp.port, attempt, smtp.attempts, reason, delay)
            if stop.wait(delay):
                raise DeliveryError(f"{smtp.host}:{smtp.port}: stopped before attempt {attempt + 1}; "
                                    "the digest is sent at the next start") from exc
            delay *= 2


class _Stopped(Exception):
    """The daemon is stopping; the SMTP conversation was abandoned before the server's 250."""


STOP_GRACE = 1.0  # seconds an abandoned conversation gets to notice its socket was shut


def _send_until_stopped(message: bytes, smtp: Smtp, sender: str, recipient: str,
                        environ: Mapping[str, str], stop: threading.Event) -> None:
    """One attempt, on a thread of its own so that `stop` never waits for the server: a slow
    server can hold a socket call for `timeout` seconds, several times over in one conversation.

    Returns as soon as the server has answered 250 to the message; QUIT goes on in the background.
    """
    conn = smtplib.SMTP(timeout=smtp.timeout)  # not connected yet: connect() runs on the thread
    conn._host = smtp.host  # what SMTP(host) would set: STARTTLS checks the certificate against it
    accepted, finished = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def converse() -> None:
        try:
            conn.connect(smtp.host, smtp.port)
            conn.ehlo()
            if smtp.tls == "starttls":
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if smtp.username_env and smtp.password_env:
                conn.login(environ[smtp.username_env], environ[smtp.password_env])
            conn.sendmail(sender, [recipient], message)
            accepted.set()
            conn.quit()
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)
        finally:
            conn.close()
            finished.set()

    threading.Thread(target=converse, name="smtp", daemon=True).start()
    while not (accepted.wait(0.05) or finished.is_set()):
        if stop.is_set():
            _shut(conn)  # wakes a thread blocked on the socket; one still connecting is left behind
            finished.wait(STOP_GRACE)
            if accepted.is_set():  # the 250 came in meanwhile: that is a delivery
                return
            raise _Stopped()
    if not accepted.is_set():
        raise failure[0]


def _shut(conn: smtplib.SMTP) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _name(record: DigestRecord) -> str:
    return f"{record.list_id} digest ending {record.window_end:%Y-%m-%d %H:%M:%S}Z"


def _permanent(exc: Exception) -> bool:
    """A 5xx answer, or a server that cannot do what we need: trying again will not help."""
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return 500 <= getattr(exc, "smtp_code", 0) < 600


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{addr}: {code} {text.decode(errors='replace')}"
                         for addr, (code, text) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
