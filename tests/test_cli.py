"""The savings-groups command: init, create-user, serve, and --help for each."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from savings_groups.cli import main
from savings_groups.store.db import db
from savings_groups.store.models import Organization, User


@pytest.fixture
def env(empty_app_config, monkeypatch):
    """The command reads its settings from the environment, as on a real machine, and starts
    from a database with no schema, as `init` does on a new machine."""
    values = {
        "SAVINGS_GROUPS_INSTANCE": str(empty_app_config["INSTANCE_PATH"]),
        "DATABASE_URL": empty_app_config["DATABASE_URL"],
        "SAVINGS_GROUPS_ARGON2_TIME_COST": "1",
        "SAVINGS_GROUPS_ARGON2_MEMORY_COST": "1024",
        "SAVINGS_GROUPS_ARGON2_PARALLELISM": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.parametrize("command", [[], ["serve"], ["init"], ["create-user"], ["check"]])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_init_creates_the_instance_and_the_schema(env):
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert os.path.exists(os.path.join(env["SAVINGS_GROUPS_INSTANCE"], "secret_key"))


def test_create_user_makes_the_organization_and_first_admin_then_others(env):
    runner = CliRunner()
    first = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "awa",
            "--full-name",
            "Awa Diallo",
            "--organization",
            "Programme Retour",
        ],
        input="a long password\na long password\n",
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "bob",
            "--full-name",
            "Bob",
            "--role",
            "recorder",
            "--password",
            "another password",
        ],
    )
    assert second.exit_code == 0, second.output
    with db.connection_context():
        assert Organization.get().name == "Programme Retour"
        assert {(u.username, u.role) for u in User.select()} == {
            ("awa", "admin"),
            ("bob", "recorder"),
        }


def test_create_user_reports_bad_input_and_writes_nothing(env):
    runner = CliRunner()
    not_admin = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "bob",
            "--full-name",
            "Bob",
            "--role",
            "viewer",
            "--password",
            "long enough 1",
        ],
    )
    assert not_admin.exit_code == 1 and "administrator" in not_admin.output
    short = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "awa",
            "--full-name",
            "Awa",
            "--organization",
            "P",
            "--password",
            "short",
        ],
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    with db.connection_context():
        assert User.select().count() == 0


def test_a_missing_database_folder_is_reported_without_a_traceback(env, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_a_real_server(env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "savings_groups.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/setup", timeout=2
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "Welcome to Savings Groups" in body
        assert response.headers["X-Frame-Options"] == "DENY"
    finally:
        server.terminate()
        server.communicate(timeout=10)


# The command speaks the installer's language: LANGUAGE, LC_ALL, LC_MESSAGES, LANG as gettext
# reads them, or --language / SAVINGS_GROUPS_LANGUAGE; English when the language is not here.

LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "SAVINGS_GROUPS_LANGUAGE")


def speaking(**variables) -> dict:
    """The environment of a run: only the language variables given are set."""
    return {**dict.fromkeys(LANGUAGE_VARIABLES), **variables}


def flat(text: str) -> str:
    """The help as one line, click's wrapping undone (no-break spaces kept)."""
    return re.sub(r"[ \n]+", " ", text)


def test_help_is_in_french_when_lang_says_french():
    runner = CliRunner()
    group = runner.invoke(main, ["--help"], env=speaking(LANG="fr_FR.UTF-8"))
    assert group.exit_code == 0, group.output
    assert group.output.startswith("Utilisation\u00a0: main [OPTIONS] COMMAND")
    assert "Groupes d’épargne\u00a0: les comptes des groupes d’épargne" in group.output
    assert "Options\u00a0:" in group.output and "Commandes\u00a0:" in group.output
    assert "Afficher ce message et quitter." in group.output
    assert "Sauvegarder la base de données maintenant" in group.output  # a command's summary
    command = runner.invoke(main, ["demo", "--help"], env=speaking(LANG="fr_FR.UTF-8"))
    assert command.exit_code == 0, command.output
    assert "Remplir la base de données avec une organisation d’appui de démonstration" in (
        flat(command.output)
    )
    assert "Ajouter la démonstration à côté des groupes" in command.output
    assert "[par défaut\u00a0: 5\u00a0; 1<=x<=100000]" in flat(command.output)
    assert "Usage" not in command.output and "Show this message" not in command.output


def test_help_is_in_spanish_for_lang_es_and_english_without_lang():
    spanish = CliRunner().invoke(main, ["backup", "--help"], env=speaking(LANG="es"))
    assert spanish.output.startswith("Uso: main backup [OPTIONS] [PATH]")
    assert "Hace ahora una copia de seguridad de la base de datos" in spanish.output
    assert "Muestra este mensaje y sale." in spanish.output
    english = CliRunner().invoke(main, ["backup", "--help"], env=speaking())
    assert english.output.startswith("Usage: main backup [OPTIONS] [PATH]")
    assert "Back up the database now" in english.output


@pytest.mark.parametrize(
    "variables",
    [
        {"LANG": "de_DE.UTF-8"},
        {"LANG": "C.UTF-8"},
        {"LANGUAGE": "de", "LANG": "fr_FR.UTF-8"},  # LANGUAGE first, as gettext reads it
        {"LANG": "fr_FR.UTF-8", "SAVINGS_GROUPS_LANGUAGE": "xx"},
    ],
)
def test_a_language_that_is_not_installed_falls_back_to_english(variables):
    result = CliRunner().invoke(main, ["--help"], env=speaking(**variables))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: main")
    assert "Show this message and exit." in result.output


def test_the_option_and_its_variable_beat_the_environment():
    runner = CliRunner()
    asked = runner.invoke(main, ["--language", "es", "init", "--help"], env=speaking(LANG="fr"))
    assert asked.output.startswith("Uso: main init")
    late = runner.invoke(main, ["--help", "--language=fr"], env=speaking(LANG="es"))
    assert late.output.startswith("Utilisation\u00a0:")  # read before --help, whatever the order
    variable = runner.invoke(
        main, ["init", "--help"], env=speaking(LANG="es", SAVINGS_GROUPS_LANGUAGE="fr")
    )
    assert variable.output.startswith("Utilisation\u00a0: main init")
    unknown = runner.invoke(main, ["--language", "xx", "--help"], env=speaking(LANG="fr"))
    assert unknown.exit_code == 0 and unknown.output.startswith("Usage:")


def test_a_failing_command_says_why_in_french(env):
    runner = CliRunner()
    french = speaking(LC_ALL="fr_FR.UTF-8", LANG="en_US.UTF-8")
    not_admin = runner.invoke(
        main,
        ["create-user", "--username", "bob", "--full-name", "Bob", "--role", "viewer"],
        env=french,
    )
    assert not_admin.exit_code == 1
    assert "Erreur\u00a0: Le premier compte doit être un administrateur (--role admin)." in (
        not_admin.output
    )
    short = runner.invoke(
        main,
        ["create-user", "--username", "awa", "--full-name", "Awa", "--organization", "P"],
        input="short\nshort\n",
        env=french,
    )
    assert short.exit_code == 1
    assert "Erreur\u00a0: Un mot de passe doit comporter au moins 10 caractères." in short.output
    unknown = runner.invoke(main, ["retire-statement-key", "9"], env=french)
    assert unknown.exit_code == 1
    assert "Erreur\u00a0: Il n’y a pas de clé de relevés 9." in unknown.output
    assert "Traceback" not in unknown.output + short.output
    with db.connection_context():
        assert User.select().count() == 0


def test_the_prompts_and_the_result_are_in_french(env):
    result = CliRunner().invoke(
        main,
        ["create-user"],
        input="awa\nAwa Diallo\nProgramme Retour\nun long mot de passe\nautre chose\n"
        "un long mot de passe\nun long mot de passe\n",
        env=speaking(LANG="fr_FR.UTF-8"),
    )
    assert result.exit_code == 0, result.output
    prompts = [
        "Identifiant\u00a0: ",
        "Nom complet\u00a0: ",
        "Nom de l’organisation d’appui\u00a0: ",
        "Mot de passe\u00a0: ",
        "Confirmation du mot de passe\u00a0: ",
        "Les deux mots de passe diffèrent\u00a0: tapez-les de nouveau.",
    ]
    for prompt in prompts:
        assert prompt in result.output
    assert "Compte «\u00a0awa\u00a0» créé (Administrateur/administratrice)." in result.output
    with db.connection_context():
        assert User.get().username == "awa"


def test_language_status_writes_its_percentages_the_readers_way():
    result = CliRunner().invoke(main, ["language", "status"], env=speaking(LANG="fr_FR.UTF-8"))
    french = [line for line in result.output.splitlines() if line.startswith("fr ")]
    assert french and "(100,0\u00a0%)  ok" in french[0]


def test_check_reports_in_french(env):
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    result = CliRunner().invoke(main, ["check"], env=speaking(LANG="fr_FR.UTF-8"))
    assert result.exit_code == 0, result.output
    assert result.output == "OK\u00a0: 0 groupes, 0 opérations vérifiées\n"
