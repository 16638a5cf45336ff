"""Performance harness for issue 7: each case times the platform's real code path against a plain baseline.

Kept outside the package so benchmarks never ship in the wheel, and importable as ``bench`` so the
cases and the smoke test share one implementation of timing, ratios and reporting.
"""
