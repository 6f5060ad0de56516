"""Pages of the ledger area (being built: see the issue on meetings and the ledger)."""

from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/groups/<int:group_id>")
