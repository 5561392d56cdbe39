"""The learner's own facts on the home page: position, tenure, branch."""
from lms.main.panels import register


@register("learner", "main/_learner_profile_panel.html", order=90)
def learner_profile(user) -> dict:
    current = user.current_position
    return {"position": current, "months": current.months() if current else 0}
