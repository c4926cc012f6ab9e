# lint rules (filled in by the boot work)
