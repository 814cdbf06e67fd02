"""The call-centre console: server-rendered pages for agents at /console."""
