"""The certificate pages' blueprint and what its two view modules share:
who is looking, whose people they see, the states in words.

``views`` holds 我的证书, a certificate's page and its actions, the manual
issue and the PDF; ``register_views`` HR's register, the expiry lists and
their downloads. Both add their routes to this one blueprint, so every page
keeps its address and its endpoint name (``certificates.register``…)."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from lms.certificates import queries
from lms.certificates.requirements import describe
from lms.org import scope as org_scope

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
READERS = ("hr", "branch_manager")


def viewer():
    return current_user._get_current_object()


def scope():
    return org_scope.branch_scope(viewer())


def labels() -> dict:
    return {"state_labels": queries.STATE_LABELS, "state_classes": queries.STATE_CLASSES, "describe": describe}
