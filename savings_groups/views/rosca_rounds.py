"""The ROSCA round pages: contributions, payouts, bids, positions and receipts."""

from flask import Blueprint

bp = Blueprint("rosca_rounds", __name__, url_prefix="/groups/<int:group_id>")
