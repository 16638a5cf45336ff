"""Command line for the demo shop: ``serve`` the API in the foreground, ``land`` the CSV files.

``make dev`` starts ``serve`` as a detached process and stops it by pid, so ``serve`` must write
nothing but its one start-up line and must exit cleanly on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import datetime, timezone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline_platform.demo")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the shop API until killed")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--as-of", default=None, help="fixed ISO instant (default: PIPELINE_DEMO_AS_OF or now)")
    serve.add_argument("--scale", type=float, default=1.0)
    land = commands.add_parser("land", help="write missing daily CSV files into a landing folder")
    land.add_argument("--landing", required=True)
    land.add_argument("--start", default="2026-09-01")
    land.add_argument("--through", default=None, help="last day, inclusive (default: today, UTC)")
    land.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)

    if args.command == "land":
        from pipeline_platform.demo.landing import land_days

        through = args.through or datetime.now(timezone.utc).date().isoformat()
        written = land_days(args.landing, args.start, through, scale=args.scale)
        print(f"wrote {len(written)} file(s) into {args.landing}")
        return 0

    from pipeline_platform.demo.api import ShopServer
    from pipeline_platform.demo.handler import TOKEN_ENV
    from pipeline_platform.demo.clock import AS_OF_ENV

    server = ShopServer(args.host, args.port, args.as_of, args.scale, os.environ.get(TOKEN_ENV) or None)
    server.keep_shop_db_current()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    host, port = server.server_address[:2]
    as_of = args.as_of or os.environ.get(AS_OF_ENV) or "now"
    print(f"demo shop API on http://{host}:{port} (as of {as_of}, scale {args.scale})", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
