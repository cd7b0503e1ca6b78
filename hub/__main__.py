"""``python -m hub`` runs the ``crmhub`` command line."""

from hub.cli.app import main

main()
