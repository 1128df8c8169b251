from __future__ import annotations

from dpm_policy.cli import main

raise SystemExit(main())
