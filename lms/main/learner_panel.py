"""The learner's own facts on the home page: position, tenure, branch."""


def learner_profile(user) -> dict:
    current = user.current_position
    return {"position": current, "months": current.months() if current else 0}
