"""How much of a form the app reads, and the few forms that hold more.

Flask reads at most ``MAX_FORM_MEMORY_SIZE`` bytes (500 kB) of a form's text
and ``MAX_FORM_PARTS`` fields of a multipart form; beyond that the request is a
413 before any view runs. 500 kB is plenty for every form but two: a content
file in the trainer's editor (up to 2,000,000 characters; a Chinese character
is 9 bytes once the browser has percent-encoded it, so 56,000 of them were
already too many) and the exam page without JavaScript, which sends every
answer on the page at once (essays of up to 20,000 characters each). Views
marked :func:`large_form` read up to ``MAX_CONTENT_LENGTH`` for a signed-in
user; every other form, and anyone not signed in, keeps Flask's limits."""
from __future__ import annotations

from flask import Request as FlaskRequest, current_app, request
from flask_login import current_user
from werkzeug.wsgi import LimitedStream


def large_form(view):
    """Mark a view whose form may hold up to ``MAX_CONTENT_LENGTH`` of text."""
    view.large_form = True
    return view


def takes_large_form() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "large_form", False)) and current_user.is_authenticated


class Request(FlaskRequest):
    @property
    def max_form_memory_size(self) -> int | None:
        if self._max_form_memory_size is None and current_app and takes_large_form():
            return current_app.config.get("MAX_CONTENT_LENGTH")
        return super().max_form_memory_size

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value


def over_the_upload_limit(request) -> bool:
    """Whether a 413 is for the body's size (``MAX_CONTENT_LENGTH``), not a form's text or fields.
    A body sent without a length (chunked) is cut off as it is read: then the stream,
    which werkzeug bounds by ``MAX_CONTENT_LENGTH``, was read to that bound."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return False
    if request.content_length is not None:
        return request.content_length > limit
    stream = request.__dict__.get("stream")  # the body's stream, when something read it
    return isinstance(stream, LimitedStream) and stream.is_exhausted
