# pytest + testcontainers-python (pip install testcontainers): one emulator for the test module.
import urllib.request

import pytest
from testcontainers.core.container import DockerContainer
from testcontainers.core.waiting_utils import wait_for_logs

ADMIN_TOKEN = "test-admin-token"


@pytest.fixture(scope="module")
def ocr_url():
    container = (
        DockerContainer("nhn-ocr-emulator")
        .with_exposed_ports(8080)
        .with_env("EMULATOR_ADMIN_TOKEN", ADMIN_TOKEN)
    )
    with container:
        # The emulator prints one ready line once it listens.
        wait_for_logs(container, "nhn-ocr-emulator ready at", timeout=60)
        yield f"http://{container.get_container_host_ip()}:{container.get_exposed_port(8080)}"


@pytest.fixture(autouse=True)
def reset(ocr_url):
    request = urllib.request.Request(
        f"{ocr_url}/__emulator/reset",
        method="POST",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    urllib.request.urlopen(request).close()


def test_health(ocr_url):
    with urllib.request.urlopen(f"{ocr_url}/__emulator/health") as response:
        assert response.status == 200
