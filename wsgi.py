import gc
import os

from lms import create_app
from lms.config import require_base_url

app = create_app()
if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
    # Served (gunicorn): refuse to start without LMS_BASE_URL, the start of every
    # absolute address. `flask` commands load this file too (Flask sets the
    # variable for them); one that builds an address checks it there.
    require_base_url(app)

# Everything loaded so far lives as long as the process: keep it out of the
# garbage collector's full passes (about 40 ms each over the ~110,000 objects
# of the loaded app, a pause for every request in flight on that worker).
gc.freeze()
