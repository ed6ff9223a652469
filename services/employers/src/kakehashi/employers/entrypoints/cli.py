"""`kakehashi-employers api | relay | consume | migrate`."""

from kakehashi.employers.bootstrap import SPEC
from kakehashi.shared.cli import service_cli

app = service_cli(SPEC)

if __name__ == "__main__":
    app()
