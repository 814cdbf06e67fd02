"""Who is told what, when and how: every message a citizen gets is queued here, with its
template, channel, consent and quiet hours decided once; `notifications` only delivers."""
