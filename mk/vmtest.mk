# vmtest rules (filled in by the boot work)
