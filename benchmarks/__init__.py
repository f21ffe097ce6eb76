"""The frames benchmark: frames against the raw drivers (and pandas, DataJoint) on one workload.

Run ``python -m benchmarks --backend duckdb|postgres|mysql --scale S``; see
:mod:`benchmarks.runner` for the measures and :mod:`benchmarks.workload` for the data.
"""
