"""The schema. Alembic migrations in ``storage/migrations`` create exactly these tables."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import BigIntPK, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    tg_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    title: Mapped[str | None] = mapped_column(String(256))
    side: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The highest message id stored: the reconciler fetches everything above it.
    last_message_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("channel_id", "message_id"),
        Index("ix_posts_date", "date"),
        Index("ix_posts_origin", "origin_channel", "origin_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigInteger)
    date: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    edit_date: Mapped[datetime | None]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None]
    grouped_id: Mapped[int | None] = mapped_column(BigInteger)
    fwd_channel: Mapped[str | None] = mapped_column(String(64))
    fwd_message_id: Mapped[int | None] = mapped_column(BigInteger)
    fwd_name: Mapped[str | None] = mapped_column(String(256))
    # The (channel, id) this post stands for: its forward origin, else itself.
    origin_channel: Mapped[str] = mapped_column(String(64))
    origin_id: Mapped[int] = mapped_column(BigInteger)
    views: Mapped[int | None] = mapped_column(BigInteger)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel: Mapped[Channel] = relationship(lazy="joined")
    versions: Mapped[list[PostVersion]] = relationship(
        back_populates="post", order_by="PostVersion.id", cascade="all, delete-orphan"
    )
    media_links: Mapped[list[PostMedia]] = relationship(
        order_by="PostMedia.position", cascade="all, delete-orphan"
    )


class PostVersion(Base):
    """An earlier text of an edited post, kept when the edit arrives."""

    __tablename__ = "post_versions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    edit_date: Mapped[datetime | None]  # when this (old) text was current from
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="versions")


class Media(Base):
    """A file in the content-addressed store: the same map posted twice is one row."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(512))
    mime: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostMedia(Base):
    __tablename__ = "post_media"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(
        ForeignKey("media.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    media: Mapped[Media] = relationship(lazy="joined")


class Chat(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))  # private | group | supergroup | channel
    title: Mapped[str | None] = mapped_column(String(256))
    language: Mapped[str] = mapped_column(String(8), default="uk")
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: DEFAULT_TZ
    digest_time: Mapped[time | None] = mapped_column(Time)  # None: digest off
    digest_when_empty: Mapped[bool] = mapped_column(Boolean, default=True)
    is_forum: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    muted_until: Mapped[datetime | None]
    migrated_to: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    """A chat tracks a place (by gazetteer id) or a keyword expression."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("chat_id", "kind", "key", "thread_id"),
        # Covers the fan-out: a post's keys find their subscribers' labels and chats in the
        # index alone, without reading a table row per chat.
        Index("ix_subscriptions_fanout", "kind", "key", "label", "chat_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # place | keyword
    key: Mapped[str] = mapped_column(String(512))  # place id, or the normalised expression
    label: Mapped[str] = mapped_column(String(512))  # what the user typed / the place's name
    # Forum topic the subscription was made in (0: the chat itself). NULLs are distinct in
    # unique constraints, so the "no topic" case is 0, not NULL.
    thread_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeywordTerm(Base):
    """Keyword expressions indexed by their terms (``bot.core.keywords.anchors``): a post
    evaluates only the expressions one of whose terms it contains. One row per (term,
    canonical expression), shared by every chat tracking that expression."""

    __tablename__ = "keyword_terms"

    term: Mapped[str] = mapped_column(String(512), primary_key=True)
    key: Mapped[str] = mapped_column(String(512), primary_key=True, index=True)


class PostMatch(Base):
    """A post matched what subscriptions of (kind, key) track, recorded once at ingest, however
    many chats track it: digests and /latest read a chat's matches through its own
    subscriptions' keys instead of matching the archive again for every chat."""

    __tablename__ = "post_key_matches"
    # "The newest posts / a window of posts matching this key": one index range per key.
    __table_args__ = (Index("ix_post_key_matches_key_date", "kind", "key", "date", "post_id"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    date: Mapped[datetime]  # the post's, so a key's window is one index range
    spans: Mapped[list[list[int]]] = mapped_column(JSON, default=list)


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_place_time", "place_id", "asserted_at"),
        # A digest window's claims, read once for all its chats.
        Index("ix_claims_asserted_at", "asserted_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[str] = mapped_column(String(64))
    place_name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32))
    side: Mapped[str | None] = mapped_column(String(8))  # who asserts it
    polarity: Mapped[str | None] = mapped_column(String(32))  # e.g. controller, or "ongoing"
    asserted_at: Mapped[datetime]
    quote: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Episode(Base):
    """Contradictions about one place over one period: a chat gets one alert per episode."""

    __tablename__ = "episodes"
    __table_args__ = (Index("ix_episodes_place_last", "place_id", "last_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    place_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    last_at: Mapped[datetime]


class Contradiction(Base):
    __tablename__ = "contradictions"
    __table_args__ = (UniqueConstraint("claim_id", "earlier_claim_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    earlier_claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("episodes.id", ondelete="SET NULL"), index=True
    )
    place_id: Mapped[str] = mapped_column(String(64), index=True)
    why: Mapped[str] = mapped_column(Text)  # English
    why_uk: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """Something worth telling chats about. Rendered per chat (language) when sent."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # match | contradiction | edit | digest
    # Same key, same alert: a post's origin, an episode, a digest day.
    dedupe_key: Mapped[str] = mapped_column(String(256), unique=True)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 0 first
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """The outbox: one row per (alert, chat). The unique pair is the idempotency key."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "chat_id"),
        Index("ix_deliveries_due", "status", "priority", "not_before"),
        # The exclusive claim asks "was this chat sent to within its window?"
        Index("ix_deliveries_chat_sent", "chat_id", "status", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"), index=True
    )
    thread_id: Mapped[int] = mapped_column(BigInteger, default=0)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    # pending -> leased -> sent | failed (400, gave up) | dropped (chat gone)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    tg_message_id: Mapped[int | None] = mapped_column(BigInteger)
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestRun(Base):
    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("chat_id", "day"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateBudget(Base):
    """Shared send budget, so several deliver processes stay under one global limit."""

    __tablename__ = "rate_budget"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostSearch(Base):
    """A post's search terms (``bot.core.tokens.index_terms``), read by ``storage.repos.search``.

    This is the PostgreSQL shape: the terms as a ``tsvector`` under a GIN index. On SQLite,
    migration 0002 makes ``post_search`` an FTS5 virtual table instead (rowid = post id,
    one ``terms`` column), which an ORM model cannot describe; the repository talks to it
    in SQL.
    """

    __tablename__ = "post_search"
    # fastupdate off: GIN's pending list would otherwise hold recent posts' terms unmerged
    # (up to 4 MB), and every search scans it linearly until a vacuum merges it.
    __table_args__ = (
        Index(
            "ix_post_search_terms",
            "terms",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
    )

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    terms: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


class SourceHealth(Base):
    """How a watched channel's polls are going: ok, degraded or dead (see bot/ops/sources)."""

    __tablename__ = "source_health"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16), default="ok")
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive
    successes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # consecutive
    # What ADMIN_IDS were last told, and when (a bad state; recoveries are not rate-limited).
    alerted_state: Mapped[str] = mapped_column(String(16), default="ok", server_default="ok")
    alerted_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
