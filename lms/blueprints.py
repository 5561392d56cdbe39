"""The blueprints of every domain, registered by create_app()."""
from lms.audit.views import bp as audit_bp
from lms.auth.views import bp as auth_bp
from lms.main.views import bp as main_bp
from lms.org.views import bp as org_bp

BLUEPRINTS = [main_bp, auth_bp, org_bp, audit_bp]
