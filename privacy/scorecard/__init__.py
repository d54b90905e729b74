"""The live PIPL compliance scorecard (/privacy/scorecard/): one row per article the software serves."""
