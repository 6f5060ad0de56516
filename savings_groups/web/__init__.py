"""The web interface: Flask blueprints, forms, login, languages, security headers, charts."""
