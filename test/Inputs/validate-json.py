#!/usr/bin/env python3
"""validate-json.py SCHEMA FILE...: validate JSON documents against a JSON
Schema (python3-jsonschema, draft 2020-12). Prints "valid FILE" per file;
exits 1 naming the first violation of each invalid one."""
import json
import sys

import jsonschema


def main(argv):
    schema = json.load(open(argv[1], encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in argv[2:]:
        doc = json.load(open(path, encoding="utf-8"))
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            bad += 1
            e = errors[0]
            print("invalid %s: %s at %s" % (path, e.message, "/".join(map(str, e.absolute_path))))
        else:
            print("valid " + path)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
