"""System settings an administrator changes on the settings page
(``/org/settings``); stored in the database, every change audited."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.audit import services as audit
from lms.database import transaction
from lms.extensions import db
from lms.org.models import SystemSetting, User

# Whether HR may grant (and take away) the trainer role; otherwise only administrators do.
HR_MAY_GRANT_TRAINER = "hr_may_grant_trainer"

# key → (default, label)
FLAGS: dict[str, tuple[bool, object]] = {
    HR_MAY_GRANT_TRAINER: (False, _l("HR may grant and remove the trainer role")),
}


def flag(key: str) -> bool:
    row = db.session.get(SystemSetting, key)
    return FLAGS[key][0] if row is None else row.value == "1"


@transaction(immediate=True)
def set_flag(key: str, value: bool, *, actor: User) -> bool:
    """Change a setting (administrators only: the caller checks); returns whether it changed."""
    before = flag(key)
    if before == value:
        return False
    SystemSetting.store(key, "1" if value else "0", actor)
    db.session.flush()
    audit.record("settings.changed", object_type="setting", object_id=key, actor=actor, before=before, after=value)
    return True
