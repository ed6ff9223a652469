"""The Kafka client as the services install it."""

from __future__ import annotations

from kafka.record import util


def test_record_checksums_use_the_c_module() -> None:
    # kafka-python falls back on a pure-Python CRC-32C when the `crc32c` package is missing:
    # an eighth of a relay's and a consumer's CPU under load.
    assert util.crc32c_c is not None
    assert util.calc_crc32c.__defaults__ == (util.crc32c_c,)
    assert util.calc_crc32c(memoryview(b"123456789")) == 0xE3069283  # the CRC-32C check value
