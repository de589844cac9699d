#!/usr/bin/python3
"""validate.py JOB...: check LAVA job definitions with LAVA's own schema
(lava_common.schemas.validate, what lava-server runs on submission), strict
about unknown keys; print "ok JOB" or the schema error; exit 1 on any error."""
import sys

import yaml
from lava_common.schemas import validate


def main(jobs):
    bad = 0
    for path in jobs:
        with open(path, encoding="utf-8") as f:
            job = yaml.safe_load(f)
        try:
            validate(job, strict=True)
            print(f"ok {path}")
        except Exception as exc:  # voluptuous raises several kinds
            bad = 1
            print(f"not ok {path}: {exc}")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
