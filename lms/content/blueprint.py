"""The ``content`` blueprint, shared by the learner's pages (lessons/views.py)
and the trainer console (console/views.py) so that endpoint names stay ``content.*``."""
from flask import Blueprint

bp = Blueprint("content", __name__)
