raise RuntimeError("cannot load this package")
