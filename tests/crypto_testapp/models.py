"""Models used only by the encryption tests (installed when ZHAOSHANG_TESTING is set)."""
