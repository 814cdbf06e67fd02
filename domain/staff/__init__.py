"""Staff: accounts and permissions, the call-centre desk, and the audit trail of what they
read or change."""
