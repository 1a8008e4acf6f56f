"""Benchmarks of pywasihost (a package so that tests can import them, e.g. ``benchmarks.bench_fd_write.measure``)."""
