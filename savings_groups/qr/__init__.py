"""QR codes: member cards, scanning, and statements anyone can verify (issue 17)."""
