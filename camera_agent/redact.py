"""Keeping camera credentials out of logs: URL userinfo and registered secrets become `***`.

Camera URLs carry their password in the userinfo (rtsp://user:password@host/...), and ffmpeg
and ffprobe echo the URL they were given in their error text. In the add-on every Home
Assistant admin can read the agent's log, so a password that reaches a log line is disclosed.
Two layers: each place that turns a URL or a child's error text into a message redacts it
(`redact_text`), and a logging filter on the agent's handler redacts every formatted record,
so a line added later that forgets the first layer still cannot leak.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import unquote, urlsplit

MASK = "***"
# scheme://userinfo@ : the userinfo (user, or user:password) is dropped whole. The user name is
# not secret on its own, but a URL that is cut or mis-quoted can put the password in its place.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^\s/@'\"]+)@")
# Secrets shorter than this are not searched for in free text: masking every "a" in a log line
# would make the log useless while protecting nothing (such a password falls to guessing).
MIN_SECRET_CHARS = 4


class SecretRegistry:
    """Passwords the agent was configured with, to mask wherever they appear in a message."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # records are logged from executor threads too
        self._secrets: frozenset[str] = frozenset()

    def add(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            return
        with self._lock:
            # The percent-encoded spelling is what a URL carries; the decoded one what a
            # camera library may echo.
            self._secrets = self._secrets | {secret, unquote(secret)}

    def add_url(self, url: str) -> None:
        """Register the password of a URL's userinfo, if it has one."""
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        if password:
            self.add(password)
            self.add(unquote(password))

    def mask(self, text: str) -> str:
        # Longest first, so a secret that contains another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


SECRETS = SecretRegistry()


def redact_text(text: str) -> str:
    """`text` with every registered secret and every URL's userinfo replaced by `***`.

    Secrets first: a password with an unencoded `@` or quote would end the userinfo match
    early and leave its tail behind.
    """
    return _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", SECRETS.mask(text))


def redact_url(url: str) -> str:
    """A URL safe to show: rtsp://user:pw@host/path -> rtsp://***@host/path."""
    return redact_text(url)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with credentials masked.

    The record is formatted here, once, and its arguments dropped, so formatters and later
    handlers only ever see the redacted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: keep the template, never the args
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
            # The traceback's frames may hold the URL in their locals' reprs: the redacted
            # text replaces the live exception so no formatter renders it again.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True
