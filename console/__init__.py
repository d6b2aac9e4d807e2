"""The staff console: server-rendered pages under /console that call the service layer, never the store directly."""
