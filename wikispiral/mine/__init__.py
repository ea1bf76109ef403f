"""My wikispiral: the page each person lands on after login (project level, reads every app)."""
