"""`python -m tfgen.offline.pack SCHEMA.json [-o OUT] [--version X.Y.Z]`: turn the output of
`terraform providers schema -json` into the packed form tfgen ships (facts only, gzip).

A user with a newer hashicorp/aws runs it and points TFGEN_AWS_SCHEMA at the result (the raw
output works too, it is only larger and slower to read); maintainers run it to refresh
``tfgen/offline/data/`` (`make schema SCHEMA=path/to/aws.json`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tfgen.files import PUBLIC, write_file
from tfgen.offline.schema import SchemaFileError, pack, read_schema_document, version_from_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tfgen.offline.pack", description=__doc__.split("\n\n")[0])
    parser.add_argument("schema", type=Path, help="output of `terraform providers schema -json` (raw or packed)")
    parser.add_argument("-o", "--output", type=Path, help="where to write the packed schema (default: aws-<version>.json.gz here)")
    parser.add_argument("--version", help="provider version (default: read from the input's file name, e.g. aws-6.47.0.json)")
    args = parser.parse_args(argv)
    version = args.version or version_from_path(args.schema)
    output = args.output or Path(f"aws-{version}.json.gz")
    try:
        data = pack(read_schema_document(args.schema), str(args.schema), version)
    except SchemaFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    write_file(output, data, mode=PUBLIC)
    print(f"{output}: hashicorp/aws {version}, {len(data) / 1024:.0f} KiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
