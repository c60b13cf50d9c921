"""``python -m posdesk.sandbox``: same as the ``posdesk-sandbox`` command."""

from posdesk.sandbox.cli import main

raise SystemExit(main())
