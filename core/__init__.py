"""Process plumbing shared by the API, the worker and the tools: settings, logging, clients."""
