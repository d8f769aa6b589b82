"""``python -m max_dp_server ...`` is the ``maxdp`` command."""

from max_dp_server.cli import main

main()
