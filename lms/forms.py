from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """For bare POST buttons: carries the CSRF token and nothing else."""
