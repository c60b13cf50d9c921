from posdesk.app import main

raise SystemExit(main())
