"""Policy and law review: the privacy policy's next review date and a register of laws and standards."""
