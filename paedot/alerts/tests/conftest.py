import pytest
import time_machine

# A Wednesday in March, midday in Birmingham.
NOW = "2027-03-10 12:00 +00:00"


@pytest.fixture(autouse=True)
def _on_a_wednesday_in_march():
    with time_machine.travel(NOW, tick=False):
        yield
