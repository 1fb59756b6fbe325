"""The scaled-out setup in docker/: the compose file, its environment, and the image.

The docker engine does not run where these tests run, and the compose plugin may be missing, so
the compose file is checked structurally (parsed with PyYAML); where ``docker compose`` works it
validates the file as well. The image's one build step that runs project code, collectstatic, is
run here exactly as the Dockerfile writes it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support import ROOT, documented_variables, run_python

DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
DOCKERFILE = DOCKER / "Dockerfile"

APP_SERVICES = {"migrate", "web", "worker", "beat"}
APP_VARIABLES = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "CTCTDASH_SITE_URL",
    "V3_JWT_PRIVATE_KEY",
    "FIELD_ENCRYPTION_KEYS",
}
# The compose specification's service keys this file may use; a misspelt key is caught here
# rather than ignored until `docker compose up`.
SERVICE_KEYS = {
    "build",
    "image",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "depends_on",
    "healthcheck",
    "restart",
    "ports",
    "expose",
    "volumes",
    "user",
    "working_dir",
    "init",
    "stop_grace_period",
    "profiles",
}
DEPENDENCY_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file as compose reads it, YAML anchors and merge keys resolved."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments) pairs, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            instruction, _, arguments = stripped.partition(" ")
            pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def effective_command(service: dict[str, Any], dockerfile: list[tuple[str, str]]) -> list[str]:
    """The service's command, or the image's CMD when the service keeps it."""
    if "command" in service:
        command = service["command"]
        return list(command) if isinstance(command, list) else shlex.split(command)
    cmd = [arguments for instruction, arguments in dockerfile if instruction == "CMD"][-1]
    return list(yaml.safe_load(cmd))  # exec form is a JSON array, which YAML reads too


# --- compose.yaml ----------------------------------------------------------------------------


def test_compose_file_is_valid(compose: dict[str, Any]) -> None:
    """Only keys compose knows; every dependency exists and can be waited for as written."""
    unknown = {key for key in compose if not key.startswith("x-")} - {"name", "services", "volumes", "networks"}
    assert not unknown, unknown
    services = compose["services"]
    for name, service in services.items():
        assert set(service) <= SERVICE_KEYS, f"{name}: unknown keys {set(service) - SERVICE_KEYS}"
        assert "image" in service or "build" in service, name
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert rule["condition"] in DEPENDENCY_CONDITIONS, name
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency}'s missing healthcheck"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source in (compose.get("volumes") or {}), f"{name}: volume {source} is not declared"

    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        result = subprocess.run(
            [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr


def test_compose_runs_the_whole_stack(compose: dict[str, Any], dockerfile: list[tuple[str, str]]) -> None:
    services = compose["services"]
    assert set(services) == APP_SERVICES | {"postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"

    commands = {name: effective_command(services[name], dockerfile) for name in APP_SERVICES}
    assert commands["web"][:2] == ["gunicorn", "ctctdash.wsgi"]
    assert commands["worker"][:4] == ["celery", "-A", "ctctdash", "worker"]
    assert commands["beat"][:4] == ["celery", "-A", "ctctdash", "beat"]
    assert commands["migrate"][:3] == ["python", "manage.py", "migrate"]


def test_app_services_run_one_image_built_from_the_dockerfile(compose: dict[str, Any]) -> None:
    services = compose["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        build = services[name]["build"]
        context = (DOCKER / build["context"]).resolve()
        assert context == ROOT, name
        assert (context / build["dockerfile"]).resolve() == DOCKERFILE, name


def test_app_services_are_configured_by_the_environment(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert set(environment) >= APP_VARIABLES, f"{name} lacks {APP_VARIABLES - set(environment)}"
        assert environment["DJANGO_SETTINGS_MODULE"] == "ctctdash.settings.production"


def test_every_variable_compose_reads_is_documented(compose: dict[str, Any]) -> None:
    # `$$` is compose's escape for a literal `$`, expanded later by the container's shell.
    text = COMPOSE.read_text().replace("$$", "")
    interpolated = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    documented = documented_variables()
    assert interpolated <= documented, f"not in .env.example: {interpolated - documented}"
    assert documented >= APP_VARIABLES


def test_only_web_publishes_ports_and_it_can_be_scaled(compose: dict[str, Any]) -> None:
    """`--scale web=N` needs a host port per replica: a range (or none), never one fixed port."""
    services = compose["services"]
    for mapping in services["web"]["ports"]:
        host, _, container = mapping.rpartition(":")
        assert container == "8000"
        assert not host or re.fullmatch(r"(\$\{[A-Z_]+:-)?\d+-\d+\}?", host), mapping
    assert all("ports" not in services[name] for name in ("worker", "beat", "migrate", "postgres", "redis"))


def test_the_schema_is_migrated_before_any_app_process_starts(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"  # one-shot
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_long_running_services_report_their_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("web", "worker", "postgres", "redis"):
        test = services[name]["healthcheck"]["test"]
        assert test[0] in {"CMD", "CMD-SHELL"}, name
    # The web check is a Python one-liner run inside the container: it must at least compile.
    web_check = services["web"]["healthcheck"]["test"]
    compile(web_check[web_check.index("-c") + 1], "web healthcheck", "exec")


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_builds_a_non_root_gunicorn_image(dockerfile: list[tuple[str, str]]) -> None:
    instructions = dict(dockerfile)  # the last of each instruction wins, as in docker
    assert dockerfile[0] == ("FROM", "python:3.11-slim")
    assert instructions["USER"] not in {"root", "0"}
    assert yaml.safe_load(instructions["CMD"])[:2] == ["gunicorn", "ctctdash.wsgi"]
    assert "DJANGO_SETTINGS_MODULE=ctctdash.settings.production" in instructions["ENV"]
    runs = [arguments for instruction, arguments in dockerfile if instruction == "RUN"]
    assert any("pip install" in run and "pyproject.toml" in run for run in runs)
    assert any(run.startswith("pip install") and run.endswith(" .") for run in runs)


def test_dockerfile_collectstatic_step_works(dockerfile: list[tuple[str, str]], tmp_path: Path) -> None:
    """The build's collectstatic, with the Dockerfile's own placeholder values, under production settings."""
    (step,) = [arguments for instruction, arguments in dockerfile if "collectstatic" in arguments]
    words = shlex.split(step)
    assignments = [word for word in words if re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", word)]
    command = words[len(assignments) :]
    assert command[:2] == ["python", "manage.py"]
    env = dict(assignment.split("=", 1) for assignment in assignments)
    env |= {"DJANGO_SETTINGS_MODULE": "ctctdash.settings.production", "CTCTDASH_VAR_DIR": str(tmp_path)}

    result = run_python(command[1:], env)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "staticfiles" / "staticfiles.json").read_text()
    assert '"css/app.css"' in manifest
    assert '"django_htmx/htmx.min.js"' in manifest
