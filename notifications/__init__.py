"""Customer emails: templates, the outbox relay that sends them by SMTP, and a local SMTP sink."""
