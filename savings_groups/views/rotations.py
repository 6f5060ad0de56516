"""The ROSCA setup pages: rotations, hands and their order, the printable schedule."""

from flask import Blueprint

bp = Blueprint("rotations", __name__, url_prefix="/groups/<int:group_id>")
