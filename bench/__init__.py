"""Performance benchmarks: the large-data generator (generate.py), the HTTP load generator
(loadgen.py) and the runner behind `make bench` (run.py). See bench/README.md."""
