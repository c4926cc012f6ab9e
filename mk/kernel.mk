# kernel rules (filled in by the boot work)
