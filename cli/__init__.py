"""The `refunds` command line for staff: one module per command group, assembled in cli.main."""
