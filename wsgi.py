import gc

from lms import create_app

app = create_app()

# Everything loaded so far lives as long as the process: keep it out of the
# garbage collector's full passes (about 40 ms each over the ~110,000 objects
# of the loaded app, a pause for every request in flight on that worker).
gc.freeze()
