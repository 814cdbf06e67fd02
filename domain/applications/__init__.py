"""Online service requests: what a procedure asks for, drafts and their documents, submission,
officer review, the supplement loop, and requests from a basic phone."""
