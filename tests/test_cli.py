"""``python -m core`` as an operator runs it: real processes, real exit codes."""

import json


def test_first_admin_from_stdin_then_list_as_json(cli) -> None:
    added = cli(
        "users",
        "add",
        "--username",
        "Ana",
        "--role",
        "admin",
        "--password-stdin",
        "--json",
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["username"] == "ana"
    assert "password" not in json.loads(added.stdout)
    listed = cli("users", "list", "--json")
    assert [(u["username"], u["role"], u["active"]) for u in json.loads(listed.stdout)] == [
        ("ana", "admin", True)
    ]


def test_generated_password_is_printed_once(cli) -> None:
    added = cli(
        "users", "add", "--username", "bob", "--role", "agent", "--generate-password", "--json"
    )
    assert added.returncode == 0, added.stderr
    password = json.loads(added.stdout)["password"]
    assert len(password) >= 12
    assert password not in cli("users", "list", "--json").stdout


def test_role_changes_and_deactivation(run_cli) -> None:
    run_cli("users", "add", "--username", "ana", "--role", "admin", "--generate-password")
    run_cli("users", "add", "--username", "bob", "--role", "agent", "--generate-password")
    assert run_cli("users", "set-role", "bob", "marketer").stdout.strip() == "bob is now marketer."
    assert run_cli("users", "deactivate", "bob").returncode == 0
    users = {u["username"]: u for u in json.loads(run_cli("users", "list", "--json").stdout)}
    assert users["bob"]["role"] == "marketer" and users["bob"]["active"] is False
    reset = run_cli(
        "users", "reset-password", "bob", "--password-stdin", stdin="another-long-one\n"
    )
    assert reset.returncode == 0 and "changed" in reset.stdout


def test_errors_are_one_clear_line_and_a_failure_status(run_cli) -> None:
    run_cli("users", "add", "--username", "ana", "--role", "admin", "--generate-password")
    duplicate = run_cli(
        "users", "add", "--username", "ana", "--role", "agent", "--generate-password"
    )
    assert duplicate.returncode == 1
    assert duplicate.stderr.strip() == "error: The username ana is taken."
    last_admin = run_cli("users", "deactivate", "ana")
    assert last_admin.returncode == 1
    assert last_admin.stderr.count("\n") == 1 and "last active administrator" in last_admin.stderr
    short = run_cli(
        "users", "add", "--username", "eve", "--role", "agent", "--password-stdin", stdin="short\n"
    )
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    missing = run_cli("users", "set-role", "nobody", "agent")
    assert missing.returncode == 1 and "There is no user nobody." in missing.stderr


def test_migrate_is_idempotent(cli) -> None:
    for _ in range(2):
        result = cli("migrate", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"migrated": True}
