"""The alerting sink: domain code enqueues messages here; the worker (issue 4) sends them."""
