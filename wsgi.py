import gc
import os
import sys

from flask.helpers import get_debug_flag

from lms import create_app, production
from lms.config import ConfigError

if os.environ.get("FLASK_RUN_FROM_CLI") != "true" and not get_debug_flag():
    # Served (gunicorn): refuse to start without the production settings, each
    # problem named (lms/production.py), before anything is made or opened.
    # `flask` commands load this file too (Flask sets the variable for them);
    # one that builds an address checks LMS_BASE_URL there. gunicorn.conf.py
    # makes the same check before any worker starts; exit status 3 tells
    # gunicorn a worker cannot boot (it stops, no restart loop).
    found = production.problems(os.environ)
    if found:
        print(production.refusal(found), file=sys.stderr)
        sys.exit(3)
try:
    app = create_app()
except ConfigError as error:  # a malformed setting: say which, without a traceback
    print(f"RM Academy cannot start: {error}", file=sys.stderr)
    sys.exit(3)

# Everything loaded so far lives as long as the process: keep it out of the
# garbage collector's full passes (about 40 ms each over the ~110,000 objects
# of the loaded app, a pause for every request in flight on that worker).
gc.freeze()
