"""row_urls: each row's link of a long list written from one URL built once, as url_for would."""

from flask import url_for

from savings_groups.web.views import ROW, row_urls


def test_each_row_gets_the_url_url_for_builds(app):
    with app.test_request_context("/"):
        for endpoint, fixed, name in [
            ("ledger.passbook", {"group_id": 7}, "member_id"),
            ("members.edit", {"group_id": 12}, "member_id"),
            ("loans.show", {"group_id": 3}, "loan_id"),
        ]:
            url = row_urls(endpoint, **fixed, **{name: ROW})
            for row_id in (1, 7, 12, 99, 3_000_000):
                assert url(row_id) == url_for(endpoint, **fixed, **{name: row_id})


def test_a_url_that_holds_the_stand_in_elsewhere_is_built_by_url_for(app):
    with app.test_request_context("/"):
        url = row_urls("loans.show", group_id=ROW, loan_id=ROW)  # ROW twice: the first is the row's
        assert url(5) == url_for("loans.show", group_id=5, loan_id=ROW)
