from savings_groups.core.gsm import plain_spaces, sms_length


def test_gsm7_text_of_one_segment():
    length = sms_length("Recu: parts 5 000 F CFA, épargne 25 000 F CFA")
    assert (length.encoding, length.characters, length.segments) == ("GSM-7", 45, 1)


def test_160_septets_is_one_segment_161_is_two():
    assert sms_length("a" * 160).segments == 1
    assert sms_length("a" * 161).segments == 2
    assert sms_length("a" * 306).segments == 2
    assert sms_length("a" * 307).segments == 3


def test_extension_characters_count_twice():
    length = sms_length("5 €")
    assert (length.encoding, length.characters) == ("GSM-7", 4)
    assert sms_length("€" * 80).segments == 1
    assert sms_length("€" * 81).segments == 2


def test_a_character_outside_gsm7_makes_it_ucs2():
    # ê and ç are not in the GSM-7 alphabet (É, é and Ç are)
    assert sms_length("prêt").encoding == "UCS-2"
    assert sms_length("reçu").encoding == "UCS-2"
    assert sms_length("Reçu" + "a" * 66).segments == 1
    assert sms_length("Reçu" + "a" * 67).segments == 2
    assert sms_length("ê" * 134).segments == 2
    assert sms_length("ê" * 135).segments == 3


def test_ucs2_counts_utf16_units():
    assert sms_length("😀").characters == 2


def test_empty_text_has_no_segment():
    assert sms_length("").segments == 0


def test_narrow_no_break_space_of_french_numbers_becomes_plain():
    text = "25\u202f000\u00a0F"
    assert sms_length(text).encoding == "UCS-2"
    assert plain_spaces(text) == "25 000 F"
    assert sms_length(plain_spaces(text)).encoding == "GSM-7"
