"""Mentoring (师傅带徒弟, 一对一帮扶, 出师评价): pairings of a mentor with an
apprentice, the mentor's check-ins and their agreed actions, and the mentor's
sign-off that eligibility rules and certifications read."""
