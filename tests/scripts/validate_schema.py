"""Validates JSON documents against a JSON Schema (draft 2020-12) with the jsonschema
package, which shares no code with sluice: the schema is checked first, then each document.

  validate_schema.py SCHEMA valid:FILE... invalid:FILE...

A `valid:` file must validate, an `invalid:` one must not. Prints how many files met their
expectation; exits 1, naming every file that did not and why, when any did not."""

import json
import sys

from jsonschema import Draft202012Validator

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)

met, problems = 0, []
for arg in sys.argv[2:]:
    expect, _, path = arg.partition(":")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if expect == "valid" and errors:
        for e in errors[:20]:
            at = "/".join(str(p) for p in e.absolute_path) or "(top)"
            problems.append(f"{path}: at {at}: {e.message}")
    elif expect == "invalid" and not errors:
        problems.append(f"{path}: validates, but should not")
    else:
        met += 1

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(met)
