from carecoop.db import number_from_text


def test_only_ascii_digits_that_fit_an_integer_column_are_numbers():
    assert number_from_text("42") == 42
    assert number_from_text(42) == 42
    assert number_from_text("999999999") == 999_999_999
    for not_a_number in (None, "", " 4", "-4", "4.0", "²", "①", "٣", "9999999999", "12\x00"):
        assert number_from_text(not_a_number) is None, not_a_number
