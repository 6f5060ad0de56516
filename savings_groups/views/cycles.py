"""Pages of the cycles area (being built: see the issue on meetings and the ledger)."""

from flask import Blueprint

bp = Blueprint("cycles", __name__, url_prefix="/groups/<int:group_id>")
