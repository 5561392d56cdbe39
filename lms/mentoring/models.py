"""Pairings, check-ins with their agreed actions, and sign-offs.

A pairing's history is never deleted: ending or changing it records when,
by whom and why. An apprentice has at most one active pairing (a partial
unique index says so on both databases). A sign-off stays in force until HR
withdraws it with a reason."""
from __future__ import annotations

import enum
import json
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, or_, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.extensions import db
from lms.org.models import User


class PairingState(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"          # ended or replaced before a sign-off; ``end_reason`` says why
    SIGNED_OFF = "signed_off"  # the mentor signed the apprentice off (出师)


class CheckInForm(enum.StrEnum):
    FACE_TO_FACE = "face_to_face"  # 面谈
    ON_THE_JOB = "on_the_job"      # 跟岗带教
    PHONE = "phone"                # 电话


class Recommendation(enum.StrEnum):
    READY = "ready"                          # 推荐出师, 可独立上岗
    READY_WITH_CONDITIONS = "ready_with_conditions"  # 有条件推荐


class Pairing(db.Model):
    __tablename__ = "mentor_pairing"
    __table_args__ = (
        CheckConstraint("state IN ('active', 'ended', 'signed_off')", name="state"),
        CheckConstraint("mentor_id <> apprentice_id", name="not_self"),
        # At most one active pairing per apprentice.
        Index("uq_mentor_pairing_active_apprentice", "apprentice_id", unique=True,
              sqlite_where=text("state = 'active'"), postgresql_where=text("state = 'active'")),
        Index("ix_mentor_pairing_mentor_state", "mentor_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=PairingState.ACTIVE)
    start_date: Mapped[date]
    planned_end_date: Mapped[date | None]
    goals: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    ended_on: Mapped[date | None]
    end_reason: Mapped[str] = mapped_column(String(255), default="")
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    apprentice: Mapped[User] = relationship(foreign_keys=[apprentice_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    check_ins: Mapped[list[CheckIn]] = relationship(back_populates="pairing", order_by="CheckIn.held_on.desc()")

    @property
    def is_active(self) -> bool:
        return self.state == PairingState.ACTIVE


class MentorCapacity(db.Model):
    """HR's capacity for one mentor; a mentor without a row has the default
    (``lms.mentoring`` settings, 3 unless HR changed it)."""

    __tablename__ = "mentor_capacity"

    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    capacity: Mapped[int]
    changed_at: Mapped[datetime] = mapped_column(default=clock.now)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class CheckIn(db.Model):
    """One 帮扶记录: what mentor and apprentice went through, and when."""

    __tablename__ = "mentor_check_in"
    __table_args__ = (
        CheckConstraint("form IN ('face_to_face', 'on_the_job', 'phone')", name="form"),
        Index("ix_mentor_check_in_pairing_held", "pairing_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairing.id"))
    held_on: Mapped[date]
    form: Mapped[str] = mapped_column(String(16))
    # Knowledge points (the curriculum's question tags), as a JSON list.
    topics_json: Mapped[str] = mapped_column(Text, default="[]")
    notes: Mapped[str] = mapped_column(Text, default="")  # markdown, rendered sanitised
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]  # by the apprentice

    pairing: Mapped[Pairing] = relationship(back_populates="check_ins")
    actions: Mapped[list[CheckInAction]] = relationship(
        back_populates="check_in", order_by="CheckInAction.due_on", foreign_keys="CheckInAction.check_in_id")
    corrections: Mapped[list[CheckInCorrection]] = relationship(
        back_populates="check_in", order_by="CheckInCorrection.id")

    @property
    def topics(self) -> list[str]:
        return json.loads(self.topics_json)

    @property
    def correction_to_acknowledge(self) -> bool:
        """The apprentice acknowledged the check-in, and the mentor corrected
        it after that: they are asked to acknowledge it again (待确认更正)."""
        return self.acknowledged_at is not None and any(k.created_at > self.acknowledged_at
                                                        for k in self.corrections)

    @property
    def awaits_acknowledgement(self) -> bool:
        return self.acknowledged_at is None or self.correction_to_acknowledge

    @classmethod
    def awaiting_acknowledgement(cls):
        """SQL: the check-in was never acknowledged, or corrected since (the
        same rule as ``awaits_acknowledgement``)."""
        corrected_since = (select(CheckInCorrection.id)
                           .where(CheckInCorrection.check_in_id == cls.id,
                                  CheckInCorrection.created_at > cls.acknowledged_at).exists())
        return or_(cls.acknowledged_at.is_(None), corrected_since)


class CheckInCorrection(db.Model):
    """A correction the mentor added to their own check-in (a typo in the
    record): the check-in itself is never changed, both are shown."""

    __tablename__ = "mentor_check_in_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("mentor_check_in.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    check_in: Mapped[CheckIn] = relationship(back_populates="corrections")


class CheckInAction(db.Model):
    """An action agreed at a check-in, with a due date. Open until done; open
    actions carry over to the next check-in, and overdue ones show on both desks."""

    __tablename__ = "mentor_check_in_action"
    __table_args__ = (Index("ix_mentor_action_pairing_open", "pairing_id", "done_on", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairing.id"))
    check_in_id: Mapped[int] = mapped_column(ForeignKey("mentor_check_in.id"), index=True)  # where agreed
    text: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    closed_at_check_in_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_check_in.id"))

    check_in: Mapped[CheckIn] = relationship(back_populates="actions", foreign_keys=[check_in_id])


class SignOffDimension(db.Model):
    """A dimension of the sign-off (出师评价), configured by HR. Retired
    dimensions stay for the sign-offs that used them."""

    __tablename__ = "signoff_dimension"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_zh: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class SignOff(db.Model):
    """The mentor's sign-off of an apprentice: a score 1–5 and a comment per
    dimension, an overall recommendation. In force until HR withdraws it."""

    __tablename__ = "mentor_signoff"
    __table_args__ = (
        CheckConstraint("recommendation IN ('ready', 'ready_with_conditions')", name="recommendation"),
        Index("ix_mentor_signoff_apprentice", "apprentice_id", "withdrawn_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairing.id"), index=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    signed_on: Mapped[date]
    signed_at: Mapped[datetime] = mapped_column(default=clock.now)
    # [{"key": "product_knowledge", "label": "产品知识", "score": 4, "comment": "..."}]
    scores_json: Mapped[str] = mapped_column(Text, default="[]")
    recommendation: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    withdraw_reason: Mapped[str] = mapped_column(String(255), default="")

    pairing: Mapped[Pairing] = relationship()
    apprentice: Mapped[User] = relationship(foreign_keys=[apprentice_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])

    @property
    def scores(self) -> list[dict]:
        return json.loads(self.scores_json)

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None
