"""Every test of this room runs once per device (``helpers/devices.py``)."""

from helpers.devices import device, parametrize_devices  # noqa: F401  (the autouse fixture)


def pytest_generate_tests(metafunc):
    parametrize_devices(metafunc)
