"""The share-out pages: the preview, finalising, the sheet and the slips."""

from flask import Blueprint

bp = Blueprint("shareout", __name__, url_prefix="/groups/<int:group_id>")
