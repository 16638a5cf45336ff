"""A deterministic demo shop, so the platform has a realistic source without any outside system.

Everything it serves (CSV extracts, a paged REST API, a production database) is a pure function of
the day and of an "as of" instant: tests pin the instant and get byte-identical data; a live run
sees history grow. Modules: ``shop`` (state as of an instant), ``api`` (HTTP server), ``landing``
(daily CSV files), ``production`` (the OLTP database the NPS answers live in).
"""
