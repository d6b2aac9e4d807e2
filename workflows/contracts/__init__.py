"""What each workflow calls: its activities' names and types, which the worker's real activities implement."""
