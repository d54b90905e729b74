"""Data-subject requests (PIPL Art. 44-50): recorded with their due date and listed for staff."""
