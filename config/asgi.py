"""The one module-level app, for ASGI servers: `uvicorn config.asgi:app --workers N`."""

from base.settings import load_settings
from config.app import create_app
from config.logging import configure_logging

settings = load_settings()
configure_logging(settings.log_level)
app = create_app(settings)
