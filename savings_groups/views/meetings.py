"""Pages of the meetings area (being built: see the issue on meetings and the ledger)."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/groups/<int:group_id>")
