"""A streamed download read as a server sends it: block by block, in the request's own context,
so that a test can do something between two blocks (sign the user out elsewhere) and then read
what the server still sends."""
from __future__ import annotations

import contextvars
import csv
import io

from flask.globals import _cv_app
from flask.testing import FlaskClient

from lms.extensions import db


class Stream:
    def __init__(self, client, url: str):
        db.session.commit()  # what the test set up is seen by the request, and the test holds no lock
        self._context = contextvars.copy_context()

        def start():
            _cv_app.set(None)  # the request's own application context, as in production
            return FlaskClient.open(client, url)  # not buffered: the body is read block by block

        self.response = self._context.run(start)
        self._blocks = iter(self.response.response)
        self.sent = b""
        self.error: BaseException | None = None

    @property
    def status_code(self) -> int:
        return self.response.status_code

    def read_block(self) -> bytes:
        block = self._context.run(next, self._blocks)
        self.sent += block
        return block

    def read_rest(self) -> Stream:
        """Every further block, until the end or the error that breaks the body off (the server's side:
        it logs the error and closes the connection without ending the chunked body)."""
        try:
            while True:
                self.read_block()
        except StopIteration:
            pass
        except Exception as e:  # noqa: BLE001
            self.error = e
        finally:
            self._context.run(self.response.close)
        return self

    def csv_rows(self) -> list[list[str]]:
        return list(csv.reader(io.StringIO(self.sent.decode("utf-8-sig"))))
