"""What every process runs on, below the doors: settings, logging, the metrics registry,
database wiring and the one classifier of database outages. Imports no door and no domain
rule beyond the policy it installs."""
