"""Dozor's own exceptions.

DozorError
 ├── ConfigError            the environment or .env is missing or wrong
 ├── UserInputError         a user's command argument is bad; the message is shown to them
 │    ├── ExpressionError   a /keyword expression does not parse (carries the position)
 │    │    └── KeywordExpressionError  … with a code and params, to say it in uk or en
 │    ├── UnknownPlaceError a /track name resolves to nothing (carries suggestions)
 │    └── LimitExceededError a per-chat limit (subscriptions, length) would be exceeded
 ├── SourceError            a source (export file, web preview, Telethon) could not be read
 │    ├── MalformedSourceError  the input is structurally wrong (bad JSON, broken HTML)
 │    ├── MarkupDriftError  a page parsed fine but yields no posts where there were posts
 │    ├── RefusedFileError  a file an import names may not be read (outside, FIFO, too big)
 │    └── TooLargeError     a downloaded body is over its cap
 ├── NotAuthorisedError     the Telethon session is not logged in; run `dozor login`
 ├── StorageError           the database is unreachable or its schema is not current
 └── DeliveryError          a send to Telegram did not go through (bot/deliver/sender.py maps
      │                     python-telegram-bot's errors to these at the boundary)
      ├── RateLimited       429: ``retry_after`` seconds; not a failed attempt
      ├── ChatGone          403, or 400 "chat not found": deactivate the chat, drop its rows
      ├── ChatMoved         the group became a supergroup: ``new_chat_id`` (migrate_to_chat_id)
      ├── Rejected          any other 400: this message will never go; not retried
      └── Transient         worth retrying later
           ├── ServerError  Telegram answered 5xx (or another unexpected status): an attempt
           └── Unreachable  no answer at all: refused, reset, DNS, timeout. Never counts as an
                            attempt (only Telegram's answers do); ``timed_out`` says the request
                            may have reached Telegram
"""

from __future__ import annotations

from typing import Self


class DozorError(Exception):
    """Base of every error Dozor raises on purpose."""


class ConfigError(DozorError):
    pass


class UserInputError(DozorError):
    """Bad input from a chat user.

    Raised with a ``code`` (a message catalogue key) and ``params``, it is said in the chat's
    language where it is caught (``handlers.errors.user_text``: the one place user errors
    are worded); ``str(err)`` is then the code, for logs. Raised with a message only, that
    message is already the words to show (HTML, user text escaped).
    """

    def __init__(
        self, message: str = "", *, code: str | None = None, params: dict[str, object] | None = None
    ) -> None:
        super().__init__(message or code or "")
        self.code = code
        self.params = dict(params or {})

    @classmethod
    def coded(cls, code: str, **params: object) -> Self:
        return cls(code=code, params=params)


class ExpressionError(UserInputError):
    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class UnknownPlaceError(UserInputError):
    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class LimitExceededError(UserInputError):
    pass


class SourceError(DozorError):
    pass


class MalformedSourceError(SourceError):
    pass


class MarkupDriftError(SourceError):
    """The page was fetched and parsed, yet holds no posts although the channel has some:
    most likely the site's markup changed under the parser."""


class RefusedFileError(SourceError):
    """A file an import names that may not be read; ``str()`` says why, without its
    contents. ``outside``: the path leaves the source folder (rather than naming a bad file
    inside it)."""

    def __init__(self, why: str, *, outside: bool = False) -> None:
        super().__init__(why)
        self.outside = outside


class TooLargeError(SourceError):
    """A body over its size cap; nothing of it is kept."""


class NotAuthorisedError(DozorError):
    pass


class StorageError(DozorError):
    pass


class KeywordExpressionError(ExpressionError):
    """An ExpressionError that names its kind (``code``) and the values in its message
    (``params``), so ``bot.core.keywords.describe`` can say it in the user's language.
    ``str(err)`` is the English text; ``position`` is a 0-based offset into the expression."""

    code: str

    def __init__(
        self, message: str, position: int | None, code: str, params: dict[str, object]
    ) -> None:
        super().__init__(message, position)
        self.code = code
        self.params = params


class ArchiveQueryError(UserInputError):
    """A /search, /latest, /sources or /claims argument that cannot be used. ``code`` names
    why and ``params`` carries the values, so the handler can say it in uk or en."""

    code: str

    def __init__(self, message: str, code: str, params: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params = params or {}


class DeliveryError(DozorError):
    """A send to Telegram that did not go through; see the tree above."""


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"429: retry after {retry_after:g}s")
        self.retry_after = retry_after


class ChatGone(DeliveryError):
    pass


class ChatMoved(DeliveryError):
    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class Rejected(DeliveryError):
    pass


class Transient(DeliveryError):
    pass


class ServerError(Transient):
    pass


class Unreachable(Transient):
    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out
