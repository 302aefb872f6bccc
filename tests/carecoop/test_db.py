from carecoop.db import number_from_text


def test_only_ascii_digits_that_fit_an_integer_column_are_numbers():
    assert number_from_text("42") == 42
    assert number_from_text(42) == 42
    assert number_from_text("999999999") == 999_999_999
    for not_a_number in (None, "", " 4", "-4", "4.0", "²", "①", "٣", "9999999999", "12\x00"):
        assert number_from_text(not_a_number) is None, not_a_number


def test_the_apps_connections_never_jit_compile_a_query(db):
    # A landing-page query the planner thought costly once spent 1.7 s compiling and 50 ms
    # running (decision 33): every connection turns JIT off, whatever the server's setting.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_jit_is_turned_off_beside_options_already_given():
    from carecoop.settings.base import without_jit

    given = {"options": "-c statement_timeout=5000"}
    database = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": given}
    assert without_jit(database)["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}
    assert without_jit(sqlite) == {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}
