#!/usr/bin/python3
"""render-device.py TEMPLATES DICT JOB: a LAVA device configuration (the YAML
lava-run --device reads) rendered from a device dictionary DICT (a jinja2
file extending a device-type template) with the device-type templates in
TEMPLATES (lava-server's, /usr/share/lava-server/device-types) and the
`context` of the job definition JOB, as lava-server renders one when a job
is submitted."""
import os
import sys

import jinja2
import yaml


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    templates, dictionary = argv[1], argv[2]
    with open(argv[3], encoding="utf-8") as f:
        context = yaml.safe_load(f).get("context", {})
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([os.path.dirname(os.path.abspath(dictionary)), templates]),
        trim_blocks=True, autoescape=False)
    text = env.get_template(os.path.basename(dictionary)).render(**context)
    yaml.safe_load(text)  # it must be YAML
    sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
