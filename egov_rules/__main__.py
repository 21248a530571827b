"""`python -m egov_rules` is the same as `egov-rules`."""

from egov_rules.cli import main

raise SystemExit(main())
