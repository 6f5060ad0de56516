"""Member cards: every member has a code, a scanned code finds only a current member of the
group, a re-issued card replaces the old one, and the QR code printed decodes to the code."""

import importlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from playhouse.migrations import SchemaMigrator

from savings_groups.core import card_codes
from savings_groups.core.errors import DomainError
from savings_groups.groups import members
from savings_groups.groups.members import MemberDetails
from savings_groups.qr import cards
from savings_groups.qr.svg import svg
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Member

RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")
SVG_NS = "{http://www.w3.org/2000/svg}"


def decode(svg_text: str, pixels_per_module: int = 4) -> list[str]:
    """Parse the SVG as XML, draw its path into a Pillow image and read it with zxing-cpp."""
    root = ET.fromstring(svg_text)
    assert root.tag == f"{SVG_NS}svg"
    width = int(root.get("viewBox").split()[2])
    path = root.find(f"{SVG_NS}path").get("d")
    image = Image.new("L", (width * pixels_per_module,) * 2, 255)
    draw = ImageDraw.Draw(image)
    runs = RUN.findall(path)
    assert "".join(f"M{x} {y}h{w}v1h-{w}z" for x, y, w in runs) == path  # nothing else drawn
    for x, y, w in (map(int, run) for run in runs):
        draw.rectangle(
            [
                x * pixels_per_module,
                y * pixels_per_module,
                (x + w) * pixels_per_module - 1,
                (y + 1) * pixels_per_module - 1,
            ],
            fill=0,
        )
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("pixels", [2, 3, 5])
def test_the_qr_code_of_a_card_decodes_to_its_identifier(pixels):
    for _ in range(5):
        code = card_codes.new_code()
        assert decode(svg(code, size=cards.CARD_QR_SIZE, label=code), pixels) == [code]


def test_every_member_gets_a_different_valid_code_on_joining(conn, admin, make_group):
    group = make_group()
    added = [
        members.add_member(
            admin, group, MemberDetails(n, f"Member {n}", "returnee", joined_on=date(2026, 1, 5))
        )
        for n in range(1, 21)
    ]
    codes = [Member.get_by_id(m.id).card_code for m in added]
    assert len(set(codes)) == 20
    assert all(card_codes.parse(code) == code for code in codes)


@pytest.fixture
def two_groups(conn, make_group, make_member):
    ours, theirs = make_group("Ours"), make_group("Theirs")
    awa = make_member(ours, "Awa Diallo")
    left = make_member(ours, "Binta Left", left_on=date(2026, 3, 1), left_reason="moved")
    moussa = make_member(ours, "Moussa Camara")
    other = make_member(theirs, "Kadi Other")
    return ours, awa, left, moussa, other


def test_a_scanned_card_finds_the_member_through_the_scanners_noise(two_groups):
    ours, awa, _left, moussa, _other = two_groups
    for typed in (
        awa.card_code,
        f"  {awa.card_code}\r\n",
        awa.card_code.lower(),
        f"]{awa.card_code}*",
        awa.card_code.replace("-", ""),
    ):
        assert cards.find(ours, typed).id == awa.id
    assert cards.find(ours, moussa.card_code).id == moussa.id


@pytest.mark.parametrize(
    "who, message",
    [
        ("other", "belongs to a member of another group"),
        ("left", "No. 2, Binta Left, has left the group"),
    ],
)
def test_a_card_of_another_group_or_of_a_member_who_left_selects_nobody(two_groups, who, message):
    ours, _awa, left, _moussa, other = two_groups
    scanned = {"other": other, "left": left}[who]
    with pytest.raises(cards.CardNotFound) as refused:
        cards.find(ours, scanned.card_code)
    assert message in str(refused.value)


@pytest.mark.parametrize("typed", ["", "   \r\n", "hello", "SG-23456789", "12345"])
def test_text_that_is_no_card_is_told_so(two_groups, typed):
    ours = two_groups[0]
    with pytest.raises(cards.NotACard) as refused:
        cards.find(ours, typed)
    assert ("scan" in str(refused.value).lower()) and "code printed" in str(refused.value)


def test_a_misread_card_is_refused_not_taken_for_another(two_groups):
    ours, awa = two_groups[0], two_groups[1]
    code = awa.card_code
    misread = code[:5] + next(c for c in card_codes.ALPHABET if c != code[5]) + code[6:]
    with pytest.raises(cards.NotACard):
        cards.find(ours, misread)


def test_an_unknown_valid_code_is_told_it_may_have_been_replaced(two_groups):
    ours = two_groups[0]
    with pytest.raises(cards.CardNotFound) as refused:
        cards.find(ours, card_codes.new_code())
    assert "may have been replaced" in str(refused.value)


def test_a_reissued_card_replaces_the_old_one_and_is_audited(two_groups, admin):
    ours, awa = two_groups[0], two_groups[1]
    old = awa.card_code
    new = cards.reissue(admin, awa)
    assert new != old and card_codes.parse(new) == new
    assert cards.find(ours, new).id == awa.id
    with pytest.raises(cards.CardNotFound):
        cards.find(ours, old)
    entry = AuditEntry.get(AuditEntry.action == "member.new_card")
    assert (entry.object_id, entry.actor_id) == (awa.id, admin.id)
    assert json.loads(entry.details) == {"card_code": [old, new]}


def test_a_member_who_left_gets_no_new_card(two_groups, admin):
    left = two_groups[2]
    with pytest.raises(DomainError):
        cards.reissue(admin, left)
    assert Member.get_by_id(left.id).card_code == left.card_code
    assert not AuditEntry.select().where(AuditEntry.action == "member.new_card").exists()


def test_the_sheet_has_the_current_members_or_those_chosen(two_groups):
    ours, awa, _left, moussa, _other = two_groups
    sheet = cards.cards(ours)
    assert [c.member.full_name for c in sheet] == ["Awa Diallo", "Moussa Camara"]
    assert [decode(c.qr_svg) for c in sheet] == [[awa.card_code], [moussa.card_code]]
    assert [c.member.id for c in cards.cards(ours, [moussa.id])] == [moussa.id]


migration = importlib.import_module("savings_groups.store.migrations.0016_member_cards")


def test_0016_gives_each_existing_member_a_different_valid_code(two_groups):
    migrator = SchemaMigrator.from_database(db.obj)
    migration.down(migrator, db.obj)
    assert "card_code" not in {c.name for c in db.get_columns("member")}
    migration.up(migrator, db.obj)
    codes = [m.card_code for m in Member.select()]
    assert len(codes) == 4 and len(set(codes)) == 4
    assert all(card_codes.parse(code) == code for code in codes)
