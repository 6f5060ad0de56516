"""A member's photo for their card: JPEG or PNG by their first bytes, small, audited."""

import io
import json
import re

import pytest
from PIL import Image

from savings_groups.core.errors import DomainError
from savings_groups.groups import photos
from savings_groups.qr import cards
from savings_groups.store.models import AuditEntry, MemberPhoto


def image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 120, 80)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize("kind, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_a_jpeg_or_png_photo_is_kept_and_audited(conn, admin, make_group, make_member, kind, mime):
    group = make_group()
    awa, moussa = make_member(group, "Awa"), make_member(group, "Moussa")
    data = image(kind)
    photos.set_photo(admin, awa, data)
    assert photos.photo_of(awa) == (mime, data)
    assert photos.photo_of(moussa) is None
    assert [c.photo for c in cards.cards(group)] == [True, False]
    entry = AuditEntry.get(AuditEntry.action == "member.photo")
    assert json.loads(entry.details) == {"replaced": False, "size": len(data)}


@pytest.mark.parametrize(
    "data, says",
    [
        (b"", "Choose a photo"),
        (b"GIF89a" + b"\0" * 100, "JPEG or PNG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "JPEG or PNG"),
        (b"%PDF-1.7\n", "JPEG or PNG"),
        (b"\xff\xd8\xff" + b"\0" * photos.MAX_BYTES, "too large"),
    ],
)
def test_anything_else_is_refused_and_nothing_changes(
    conn, admin, make_group, make_member, data, says
):
    awa = make_member(make_group(), "Awa")
    kept = image("PNG")
    photos.set_photo(admin, awa, kept)
    with pytest.raises(DomainError) as refused:
        photos.set_photo(admin, awa, data)
    assert says in str(refused.value)
    assert photos.photo_of(awa) == ("image/png", kept)
    assert AuditEntry.select().where(AuditEntry.action == "member.photo").count() == 1


def test_a_photo_is_replaced_then_removed(conn, admin, make_group, make_member):
    awa = make_member(make_group(), "Awa")
    photos.set_photo(admin, awa, image("PNG"))
    photos.set_photo(admin, awa, image("JPEG"))
    assert photos.photo_of(awa)[0] == "image/jpeg"
    assert MemberPhoto.select().count() == 1
    assert photos.remove_photo(admin, awa) is True
    assert photos.photo_of(awa) is None
    assert photos.remove_photo(admin, awa) is False
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-3:] == ["member.photo", "member.photo", "member.photo_remove"]


def test_the_photo_is_added_on_the_members_page_and_printed_on_the_card(
    web, admin, make_group, make_member, make_user
):
    group, theirs = make_group("Kankan"), make_group("Siguiri")
    awa = make_member(group, "Awa Diallo")
    make_member(group, "Moussa Camara")
    web.login("admin")
    edit_url = f"/groups/{group.id}/members/{awa.id}/edit"
    photo_url = f"/groups/{group.id}/members/{awa.id}/photo"
    assert 'enctype="multipart/form-data"' in web.client.get(edit_url).get_data(as_text=True)
    data = image("JPEG")
    answer = web.post(
        photo_url,
        {"action": "upload", "photo": (io.BytesIO(data), "awa.jpg")},
        form_path=edit_url,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    served = web.client.get(photo_url)
    assert served.status_code == 200 and served.data == data
    assert served.headers["Content-Type"] == "image/jpeg"
    sheet = web.client.get(f"/groups/{group.id}/cards").get_data(as_text=True)
    assert re.findall(r'<img class="member-card-photo" src="([^"]+)"', sheet) == [photo_url]
    # A file that is no image, under an image's name: refused with a message.
    answer = web.post(
        photo_url,
        {"action": "upload", "photo": (io.BytesIO(b"<script>x</script>"), "evil.jpg")},
        form_path=edit_url,
        content_type="multipart/form-data",
    )
    assert "JPEG or PNG" in web.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert web.client.get(photo_url).data == data
    # Another group's facilitator and a recorder cannot see it.
    assert web.client.get(f"/groups/{theirs.id}/members/{awa.id}/photo").status_code == 404
    web.post(photo_url, {"action": "remove"}, form_path=edit_url)
    assert web.client.get(photo_url).status_code == 404
    sheet = web.client.get(f"/groups/{group.id}/cards").get_data(as_text=True)
    assert "member-card-photo" not in sheet
