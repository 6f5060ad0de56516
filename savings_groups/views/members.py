"""Pages of the members area (being built: see the issue on meetings and the ledger)."""

from flask import Blueprint

bp = Blueprint("members", __name__, url_prefix="/groups/<int:group_id>")
