"""The blueprints of every domain, registered by create_app()."""
from lms.audit.views import bp as audit_bp
from lms.auth.views import bp as auth_bp
from lms.content.importers.views import bp as content_import_bp
from lms.content.blueprint import bp as content_bp
from lms.content.console import views as _console_views  # noqa: F401  (the console's routes on content_bp)
from lms.content.lessons import views as _lesson_views  # noqa: F401  (the learner's routes on content_bp)
from lms.exams.analysis_views import bp as analysis_bp
from lms.exams.grading_views import bp as grading_bp
from lms.exams.notebook_views import bp as notebook_bp
from lms.exams.views import bp as exams_bp
from lms.main.views import bp as main_bp
from lms.org.settings_views import bp as system_bp
from lms.org.views import bp as org_bp
from lms.programmes.views import bp as programmes_bp

BLUEPRINTS = [main_bp, auth_bp, org_bp, system_bp, audit_bp, content_bp, content_import_bp, grading_bp, analysis_bp, notebook_bp, exams_bp, programmes_bp]
