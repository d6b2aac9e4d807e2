"""`python -m api`: serve the API with uvicorn on API_HOST:API_PORT."""

import uvicorn

from api.app import create_app
from core.logs import configure_logging
from core.settings import get_settings


def main() -> None:
    """Read settings, configure logs, serve."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.signing_key()  # fail at start, not on the first refund, when the signing key is missing
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_config=None)


if __name__ == "__main__":
    main()
